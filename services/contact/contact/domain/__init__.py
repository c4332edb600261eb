"""The rules of contact: plain Python, no gRPC, no nameko."""
