/*
 * sendfile(2) for Brook's streamed Fetch responses: the bytes of a segment file go from the page
 * cache to the socket without passing through JavaScript buffers, as Kafka's FileRecords.writeTo.
 *
 * sendfile(sock, file, position, length, waitMs) -> Promise<number of bytes sent>
 *   Runs on the libuv thread pool. The socket descriptor is dup'ed on the calling (JS) thread and
 *   the copy closed when the job ends, so the connection closing meanwhile (libuv closes the
 *   original) can never point the job at a descriptor number reused for something else. The socket
 *   is non-blocking: when it is full the job waits for room with poll(), but at most waitMs in all,
 *   and then settles with what it sent; the caller queues the rest as a new job, so one slow reader
 *   holds a pool thread for at most waitMs at a time.
 *   Rejects with an Error carrying `errno` and `code` when sendfile fails.
 *
 * setSocketBuffer(sock, kind, bytes) -> 0 or an errno
 *   setsockopt SO_SNDBUF (kind 0) or SO_RCVBUF (kind 1) on a socket: Kafka's socket.send.buffer.bytes
 *   and socket.receive.buffer.bytes, which Node has no call for on a TCP socket. The kernel doubles
 *   the value for its own bookkeeping and stops auto-tuning that buffer, as it does for Kafka.
 * getSocketBuffer(sock, kind) -> the size the kernel holds (getsockopt), or -errno
 * unsentBytes(sock) -> bytes in the socket's send queue that the peer has not acknowledged yet
 *   (ioctl SIOCOUTQ), or -errno: whether a slow reader is still taking bytes.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <sys/sendfile.h>
#include <poll.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  int sock;
  int file;
  int64_t position;
  int64_t length;
  int64_t sent;
  int32_t wait_ms;
  int err;
} Job;

static int64_t now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void execute(napi_env env, void *data) {
  (void)env;
  Job *j = data;
  off_t off = (off_t)j->position;
  int64_t deadline = now_ms() + j->wait_ms;
  while (j->sent < j->length) {
    ssize_t n = sendfile(j->sock, j->file, &off, (size_t)(j->length - j->sent));
    if (n > 0) {
      j->sent += n;
      continue;
    }
    if (n == 0) {
      j->err = ENODATA; /* the file ended before the span did */
      return;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) {
      j->err = errno;
      return;
    }
    int64_t left = deadline - now_ms();
    if (left <= 0) return; /* partial: the caller goes on with a new job */
    struct pollfd p = {j->sock, POLLOUT, 0};
    if (poll(&p, 1, (int)left) < 0 && errno != EINTR) {
      j->err = errno;
      return;
    }
  }
}

static void complete(napi_env env, napi_status status, void *data) {
  Job *j = data;
  close(j->sock);
  napi_value v;
  if (status != napi_ok && j->err == 0) j->err = ECANCELED;
  if (j->err) {
    napi_value msg, num, code;
    napi_create_string_utf8(env, strerror(j->err), NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &v);
    napi_create_int32(env, j->err, &num);
    napi_set_named_property(env, v, "errno", num);
    const char *name = j->err == EPIPE ? "EPIPE" : j->err == ECONNRESET ? "ECONNRESET" : j->err == ENODATA ? "ENODATA" : "ESENDFILE";
    napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
    napi_set_named_property(env, v, "code", code);
    napi_reject_deferred(env, j->deferred, v);
  } else {
    napi_create_int64(env, j->sent, &v);
    napi_resolve_deferred(env, j->deferred, v);
  }
  napi_delete_async_work(env, j->work);
  free(j);
}

static napi_value throw_message(napi_env env, const char *what) {
  napi_throw_error(env, NULL, what);
  return NULL;
}

static napi_value Sendfile(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value args[5];
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc < 5) return throw_message(env, "sendfile(sock, file, position, length, waitMs)");
  int32_t sock, file, wait_ms;
  int64_t position, length;
  if (napi_get_value_int32(env, args[0], &sock) != napi_ok || napi_get_value_int32(env, args[1], &file) != napi_ok ||
      napi_get_value_int64(env, args[2], &position) != napi_ok || napi_get_value_int64(env, args[3], &length) != napi_ok ||
      napi_get_value_int32(env, args[4], &wait_ms) != napi_ok || sock < 0 || file < 0 || position < 0 || length < 0 || wait_ms < 0)
    return throw_message(env, "sendfile: bad arguments");
  int dup_sock = dup(sock);
  if (dup_sock < 0) return throw_message(env, "sendfile: dup of the socket failed");
  Job *j = calloc(1, sizeof(Job));
  if (!j) {
    close(dup_sock);
    return throw_message(env, "sendfile: out of memory");
  }
  j->sock = dup_sock;
  j->file = file;
  j->position = position;
  j->length = length;
  j->wait_ms = wait_ms;
  napi_value promise, name;
  napi_create_promise(env, &j->deferred, &promise);
  napi_create_string_utf8(env, "brook.sendfile", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute, complete, j, &j->work);
  napi_queue_async_work(env, j->work);
  return promise;
}

/* Reads n int32 arguments, each at least 0; false when there are fewer or one is not a number. */
static int int_args(napi_env env, napi_callback_info info, size_t n, int32_t *out) {
  size_t argc = 3;
  napi_value args[3];
  if (n > 3 || napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc < n) return 0;
  for (size_t i = 0; i < n; i++)
    if (napi_get_value_int32(env, args[i], &out[i]) != napi_ok || out[i] < 0) return 0;
  return 1;
}

static napi_value int32_value(napi_env env, int32_t n) {
  napi_value v;
  napi_create_int32(env, n, &v);
  return v;
}

/* a: sock, kind (0 send, 1 receive), bytes */
static napi_value SetSocketBuffer(napi_env env, napi_callback_info info) {
  int32_t a[3];
  if (!int_args(env, info, 3, a) || a[1] > 1 || a[2] == 0) return throw_message(env, "setSocketBuffer(sock, kind, bytes): bad arguments");
  return int32_value(env, setsockopt(a[0], SOL_SOCKET, a[1] == 0 ? SO_SNDBUF : SO_RCVBUF, &a[2], sizeof a[2]) == 0 ? 0 : errno);
}

/* a: sock, kind (0 send, 1 receive) */
static napi_value GetSocketBuffer(napi_env env, napi_callback_info info) {
  int32_t a[2];
  if (!int_args(env, info, 2, a) || a[1] > 1) return throw_message(env, "getSocketBuffer(sock, kind): bad arguments");
  int bytes = 0;
  socklen_t len = sizeof bytes;
  return int32_value(env, getsockopt(a[0], SOL_SOCKET, a[1] == 0 ? SO_SNDBUF : SO_RCVBUF, &bytes, &len) == 0 ? bytes : -errno);
}

/* a: sock */
static napi_value UnsentBytes(napi_env env, napi_callback_info info) {
  int32_t a[1];
  if (!int_args(env, info, 1, a)) return throw_message(env, "unsentBytes(sock): bad arguments");
  int bytes = 0;
  return int32_value(env, ioctl(a[0], SIOCOUTQ, &bytes) == 0 ? bytes : -errno);
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "sendfile", NAPI_AUTO_LENGTH, Sendfile, NULL, &fn);
  napi_set_named_property(env, exports, "sendfile", fn);
  napi_create_function(env, "setSocketBuffer", NAPI_AUTO_LENGTH, SetSocketBuffer, NULL, &fn);
  napi_set_named_property(env, exports, "setSocketBuffer", fn);
  napi_create_function(env, "getSocketBuffer", NAPI_AUTO_LENGTH, GetSocketBuffer, NULL, &fn);
  napi_set_named_property(env, exports, "getSocketBuffer", fn);
  napi_create_function(env, "unsentBytes", NAPI_AUTO_LENGTH, UnsentBytes, NULL, &fn);
  napi_set_named_property(env, exports, "unsentBytes", fn);
  return exports;
}
