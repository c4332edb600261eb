"""The rules of insights: plain Python, no gRPC, no nameko, no HTTP."""
