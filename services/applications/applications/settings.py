from fickan_common.settings import ServiceSettings

NAME = "applications"


def load() -> ServiceSettings:
    return ServiceSettings.from_env(NAME, grpc_port=50052, metrics_port=9102)
