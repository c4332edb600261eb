"""The token signing keys (ES256). Each PEM file in the keys folder is one key, named <kid>.pem;
the newest signs, every one verifies (so rotating = adding a new file, later removing the old)."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from fickan_common.tokens import ALGORITHM, AUDIENCE, ISSUER


class SigningKeys:
    def __init__(self, folder: str | Path, generate: bool) -> None:
        self.folder = Path(folder)
        # By name (they start with the date they were made): a Secret volume gives every file the same mtime.
        files = sorted(self.folder.glob("*.pem")) if self.folder.exists() else []
        if not files:
            if not generate:
                raise SystemExit(f"no signing key in {self.folder} and key generation is off")
            files = [self._generate()]
        self.keys: dict[str, ec.EllipticCurvePrivateKey] = {}
        for path in files:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if not isinstance(key, ec.EllipticCurvePrivateKey):
                raise SystemExit(f"{path} is not an EC private key")
            self.keys[path.stem] = key
        self.current_kid = files[-1].stem
        self._jwks = json.dumps({"keys": [self._public_jwk(kid, key) for kid, key in self.keys.items()]})

    def _generate(self) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        path = self.folder / f"{time.strftime('%Y%m%d')}-{uuid.uuid4().hex[:8]}.pem"
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        path.chmod(0o600)
        return path

    @staticmethod
    def _public_jwk(kid: str, key: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
        jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
        jwk.update(kid=kid, use="sig", alg=ALGORITHM)
        return jwk

    def jwks_json(self) -> str:
        return self._jwks

    def sign(self, subject: str, ttl: int, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": ISSUER, "aud": AUDIENCE, "sub": subject, "iat": now, "exp": now + ttl, "jti": uuid.uuid4().hex}
        body.update(claims)
        return jwt.encode(body, self.keys[self.current_kid], algorithm=ALGORITHM, headers={"kid": self.current_kid})
