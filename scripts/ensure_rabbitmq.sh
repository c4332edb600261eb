#!/usr/bin/env bash
# Make sure RabbitMQ answers on 127.0.0.1:5672: start the local one if it is installed but stopped,
# install it with apt when we are root and it is missing, otherwise stop with a clear message.
set -euo pipefail

up() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }
wait_up() { for _ in $(seq 1 60); do up && return 0; sleep 1; done; return 1; }

up && exit 0
if ! command -v rabbitmq-server >/dev/null 2>&1 && [ ! -x /usr/sbin/rabbitmq-server ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing RabbitMQ with apt ..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
  else
    echo "RabbitMQ is not running on 127.0.0.1:5672 and is not installed. Install it (sudo apt-get install rabbitmq-server) or set FICKAN_AMQP_URI." >&2
    exit 1
  fi
fi
echo "Starting RabbitMQ ..."
if [ "$(id -u)" = 0 ]; then
  PATH=$PATH:/usr/sbin rabbitmq-server -detached >/dev/null 2>&1 || true
else
  sudo -n /usr/sbin/rabbitmq-server -detached >/dev/null 2>&1 || service rabbitmq-server start >/dev/null 2>&1 || true
fi
wait_up || { echo "RabbitMQ did not come up on 127.0.0.1:5672; see /var/log/rabbitmq/." >&2; exit 1; }
