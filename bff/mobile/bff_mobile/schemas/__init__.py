"""The shapes of the mobile API: request bodies are loaded (and refused) by these schemas, answers
are dumped by them, and /openapi.json is generated from the same classes.

JSON names are camelCase (data_key); Python attributes are snake_case. Field messages are Swedish.
"""
