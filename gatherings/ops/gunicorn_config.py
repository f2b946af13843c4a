"""gunicorn settings for Gatherings: ``gunicorn -c python:gatherings.ops.gunicorn_config gatherings.wsgi:app``.

They live in the package so an installed wheel has them; ``gunicorn.conf.py`` in the checkout
imports them. Every value can be changed through the environment, so one file serves every
machine. See docs/production.md.
"""
import os

from gatherings.ops.logs import ACCESS_FORMAT, GunicornLogger, logconfig_dict


# gunicorn is how the app is served in production, so that is what it is unless told otherwise: a
# forgotten GATHERINGS_ENV then stops the start for want of SECRET_KEY instead of serving with the
# development key and cookies without Secure. (Workers inherit this environment.)
os.environ.setdefault("GATHERINGS_ENV", "production")


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Where to listen. Behind a load balancer: GUNICORN_BIND=0.0.0.0:8000 (or PORT=8000).
bind = os.environ.get("GUNICORN_BIND") or (f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT") else "127.0.0.1:8000")

# Processes: the app is mostly CPU (templates, forms) with short database waits in between.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _cores() + 1)
# Threads per worker; more than 1 switches to the threaded worker (then raise DB_POOL_SIZE to match).
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
worker_class = "gthread" if threads > 1 else "sync"
# Waiting connections per server; the opening rush queues here rather than being refused.
backlog = int(os.environ.get("GUNICORN_BACKLOG") or 2048)

# A worker silent this long is killed and replaced (a request never needs this long).
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
# On restart or shutdown, running requests get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT") or 30)
# Seconds an idle keep-alive connection stays open (gthread only); above the load balancer's idle timeout.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE") or 5)
# Replace a worker now and then, so a slow leak never grows up; jitter keeps them from all restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 5000)
max_requests_jitter = max_requests // 10

# Logs: access lines on standard output, everything else on standard error, one readable format.
# The client address in access lines (%(h)s, REMOTE_ADDR) is the visitor's when TRUSTED_PROXIES is set right:
# the app's ProxyFix rewrites REMOTE_ADDR in the request's environ, which gunicorn reads after the answer.
accesslog = "-"
access_log_format = ACCESS_FORMAT
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logger_class = GunicornLogger
logconfig_dict = logconfig_dict(loglevel.upper())
proc_name = "gatherings"

# gunicorn >= 25 opens a control socket at one fixed path per user, which several servers on one
# machine would fight over; only with a path of its own.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
