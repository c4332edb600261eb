from fickan_common.settings import ServiceSettings

NAME = "notifications"


def load() -> ServiceSettings:
    return ServiceSettings.from_env(NAME, grpc_port=50053, metrics_port=9103)
