from fickan_common.settings import ServiceSettings

NAME = "contact"


def load() -> ServiceSettings:
    return ServiceSettings.from_env(NAME, grpc_port=50054, metrics_port=9104)
