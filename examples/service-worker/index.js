// The service-worker shape: a 'fetch' listener that calls respondWith.
addEventListener("fetch", (event) => {
  event.respondWith(handle(event.request));
});

async function handle(request) {
  return new Response(`service worker saw ${request.method} ${new URL(request.url).pathname}\n`);
}
