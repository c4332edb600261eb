"""Test helpers shared by the services' own test suites (no mocks of real parts: a real key pair,
real signed tokens, real verification)."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from fickan_common.tokens import ALGORITHM, AUDIENCE, ISSUER, JwksCache, TokenVerifier


class TokenFactory:
    """Mints access tokens the way identity does, with its own throwaway key."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.kid = uuid.uuid4().hex[:16]

    def jwks_json(self) -> str:
        jwk = json.loads(ECAlgorithm.to_jwk(self.key.public_key()))
        jwk.update(kid=self.kid, use="sig", alg=ALGORITHM)
        return json.dumps({"keys": [jwk]})

    def verifier(self) -> TokenVerifier:
        return TokenVerifier(JwksCache(self.jwks_json))

    def token(
        self,
        user_id: str | None = None,
        roles: tuple[str, ...] = ("resident",),
        expires_in: int = 600,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        body = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": user_id or str(uuid.uuid4()),
            "roles": list(roles),
            "iat": now,
            "exp": now + expires_in,
            "jti": uuid.uuid4().hex,
            **claims,
        }
        return jwt.encode(body, self.key, algorithm=ALGORITHM, headers={"kid": self.kid})
