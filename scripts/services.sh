#!/usr/bin/env bash
# Starts the local MariaDB (127.0.0.1:3306, root, empty password) and Redis (127.0.0.1:6379) that the
# integration tests and `npm run bench -- --mysql` use, and installs Debian's Chromium for the page tests;
# installs them with apt on a bare Debian machine. Never downloads a browser from anywhere but apt.
set -uo pipefail

have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

mariadb_up() { (echo > /dev/tcp/127.0.0.1/3306) >/dev/null 2>&1; }
redis_up() { (echo > /dev/tcp/127.0.0.1/6379) >/dev/null 2>&1; }

if ! mariadb_up; then
  if [ ! -x /usr/sbin/mariadbd ] && have apt-get; then
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server
  fi
  if [ -x /usr/sbin/mariadbd ]; then
    as_root mkdir -p /run/mysqld && as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
    as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  fi
fi

if ! redis_up; then
  if ! have redis-server && have apt-get; then
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server
  fi
  if have redis-server; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  fi
fi

# The explain and live-query page tests drive Debian's Chromium (test/browser.ts).
if [ ! -x /usr/bin/chromium ] && have apt-get; then
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi

for _ in $(seq 1 30); do
  if mariadb_up && redis_up; then break; fi
  sleep 1
done
# A fresh Debian MariaDB lets root in through the unix socket only; the tests connect over TCP as root with
# an empty password, so allow exactly that (this server is for local tests, never for real data).
root_over_tcp() { mariadb -h127.0.0.1 -uroot -e 'SELECT 1' >/dev/null 2>&1; }
if mariadb_up && have mariadb && ! root_over_tcp; then
  as_root mariadb -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');
    CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
    GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;" >/dev/null 2>&1 || true
fi

mariadb_up && echo "MariaDB: up on 127.0.0.1:3306" || echo "MariaDB: NOT reachable on 127.0.0.1:3306"
if mariadb_up && have mariadb && ! root_over_tcp; then
  echo "MariaDB: root cannot log in over TCP without a password; the integration tests need that (or set GRAPHSCALE_TEST_MYSQL)"
fi
redis_up && echo "Redis: up on 127.0.0.1:6379" || echo "Redis: NOT reachable on 127.0.0.1:6379"
[ -x /usr/bin/chromium ] && echo "Chromium: /usr/bin/chromium" || echo "Chromium: NOT installed (apt-get install chromium); the page tests need it"
