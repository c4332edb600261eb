"""The rules of identity: plain Python, no gRPC, no nameko."""
