"""The rules of notifications: plain Python, no gRPC, no nameko."""
