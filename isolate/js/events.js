// The objects scheduled() and queue() receive (Workers' ScheduledController
// and MessageBatch).
(function (internal) {
  "use strict";
  function retryDelay(opts, what) {
    if (opts === undefined || opts === null) return 0;
    const d = Number(opts.delaySeconds ?? 0);
    if (!Number.isFinite(d) || d < 0 || d > 43200) {
      throw new RangeError(what + ": delaySeconds must be between 0 and 43200, got " + opts.delaySeconds);
    }
    return d;
  }
  internal.eventObject = function (kind, a, b, c) {
    if (kind === "scheduled") {
      return Object.freeze({ type: "scheduled", cron: a, scheduledTime: b, noRetry() {} });
    }
    const token = c;
    const messages = b.map(([id, ts, attempts, body]) => Object.freeze({
      id,
      timestamp: new Date(ts),
      attempts,
      body,
      ack() { internal.queueSettle(token, id, true); },
      retry(opts) { internal.queueSettle(token, id, false, retryDelay(opts, "Message.retry")); },
    }));
    return Object.freeze({
      queue: a,
      messages: Object.freeze(messages),
      ackAll() { for (const m of messages) m.ack(); },
      retryAll(opts) {
        const d = retryDelay(opts, "MessageBatch.retryAll");
        for (const m of messages) internal.queueSettle(token, m.id, false, d);
      },
    });
  };
});
