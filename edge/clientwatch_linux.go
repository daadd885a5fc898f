package edge

import (
	"syscall"
	"unsafe"
)

// tcpStateSupported: the kernel reports a socket's TCP state.
const tcpStateSupported = true

// tcpState returns the TCP state of the socket fd (struct tcp_info's first
// byte, tcpi_state).
func tcpState(fd uintptr) (uint8, bool) {
	var info [104]byte // struct tcp_info is larger; the kernel copies what fits
	size := uint32(len(info))
	_, _, errno := syscall.Syscall6(syscall.SYS_GETSOCKOPT, fd, syscall.IPPROTO_TCP, syscall.TCP_INFO,
		uintptr(unsafe.Pointer(&info[0])), uintptr(unsafe.Pointer(&size)), 0)
	if errno != 0 || size < 1 {
		return 0, false
	}
	return info[0], true
}
