"""BankID over the RP API v6.0: the HTTP client (client.py) and the simulator's HTTP server
(simulator_server.py). The rules and texts are in identity.domain.bankid."""
