"""The rules of applications: plain Python, no gRPC, no nameko."""
