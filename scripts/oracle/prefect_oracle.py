"""Prefect's own verdicts on generated run input: the oracle of Flowgate's differential test.

    python prefect_oracle.py [--cases N] [--seed S] > corpus.json

Schemas come from real pydantic `RunInput` models, built exactly as `pause_flow_run`
stores them (`create_v2_schema`, then through JSON text as the server reads it back). Inputs
are a valid example per model plus seeded random damage: wrong types, missing and extra
keys, out-of-range numbers and lengths, nested damage, and `__prefect_kind` placeholders
holding valid and broken JSON. Each input is hydrated and validated by
`prefect.utilities.schema_tools` the way the resume endpoint does it, and the verdict the
server would give is recorded: ACCEPT (with the input it would store) or REJECT with the
reason, byte for byte.

Output: {"prefect_version", "seed", "schemas": {model: schema_text}, "cases": [...]}.
"""

import argparse
import copy
import datetime
import decimal
import enum
import json
import random
import sys
import uuid
from typing import Literal, Optional, Union

import prefect
from prefect._internal.pydantic.v2_schema import create_v2_schema
from prefect.input import RunInput
from prefect.utilities import schema_tools
from prefect.utilities.schema_tools.hydration import HydrationContext, HydrationError
from pydantic import BaseModel, Field


class Address(BaseModel):
    city: str
    zip: Optional[str] = None


class Contact(BaseModel):
    name: str = Field(min_length=1, max_length=20)
    email: Optional[str] = None
    address: Optional[Address] = None


class Member(BaseModel):
    login: str = Field(pattern=r"^[a-z][a-z0-9_]{1,15}$")
    admin: bool = False


class Team(BaseModel):
    name: str
    members: list[Member] = []


class Org(BaseModel):
    name: str
    teams: list[Team]


class Color(str, enum.Enum):
    RED = "red"
    GREEN = "green"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Approval(RunInput):
    approver: str
    count: int = 1
    level: Literal["low", "high"] = "low"
    address: Address
    tags: list[str] = []
    contacts: list[Contact] = []


class Limits(RunInput):
    name: str = Field(min_length=2, max_length=8)
    code: str = Field(pattern=r"^[A-Z]{3}-\d+$")
    age: int = Field(ge=0, le=130)
    ratio: float = Field(gt=0, lt=1)
    step: int = Field(default=10, multiple_of=5)
    short: str = Field(default="x", max_length=1)


class Choices(RunInput):
    enabled: bool
    mode: Literal["fast", "slow", "off"] = "fast"
    color: Color = Color.RED
    priority: Priority = Priority.LOW
    maybe: Optional[int] = None
    note: Optional[str]
    answer: Literal[42] = 42


class Collections(RunInput):
    contact: Contact
    backups: list[Contact] = []
    meta: dict[str, int] = {}
    labels: dict[str, str]
    pair: tuple[int, str]
    triple: tuple[int, int, int] = (0, 0, 0)
    matrix: list[list[int]] = []
    unique: set[str] = set()


class Deep(RunInput):
    org: Org
    home: Optional[Address] = None
    lead: Optional[Member] = None


class Unions(RunInput):
    value: Union[int, str]
    item: Union[Contact, Address]
    amount: Optional[float] = None
    mixed: list[Union[int, str]] = []
    either: Union[bool, list[int]] = False


class Formats(RunInput):
    when: datetime.datetime
    day: datetime.date = datetime.date(2026, 1, 1)
    ident: uuid.UUID
    price: decimal.Decimal = decimal.Decimal("1.5")
    span: datetime.timedelta = datetime.timedelta(seconds=5)


class Sized(RunInput):
    tags: list[str] = Field(min_length=1, max_length=3)
    scores: list[float] = Field(default=[], max_length=4)
    grid: dict[str, list[int]] = {}
    nested: Optional[list[Optional[int]]] = None


class Cat(BaseModel):
    kind: Literal["cat"]
    lives: int = 9


class Dog(BaseModel):
    kind: Literal["dog"]
    good: bool = True


class Pets(RunInput):
    pet: Union[Cat, Dog] = Field(discriminator="kind")
    others: list[Union[Cat, Dog]] = []
    color: Optional[Color] = None


class Flat(RunInput):
    a: int
    b: int
    c: str
    d: float = 0.5
    e: bool = True


MODELS = {
    "Approval": (Approval, {"approver": "ana", "count": 2, "level": "high",
                            "address": {"city": "Oslo", "zip": "0150"}, "tags": ["x", "y"],
                            "contacts": [{"name": "bo", "email": "b@x.io"}]}),
    "Limits": (Limits, {"name": "abc", "code": "ABC-12", "age": 40, "ratio": 0.5, "step": 15, "short": "y"}),
    "Choices": (Choices, {"enabled": True, "mode": "slow", "color": "green", "priority": 2,
                          "maybe": 3, "note": None, "answer": 42}),
    "Collections": (Collections, {"contact": {"name": "cy", "address": {"city": "Rome"}},
                                  "backups": [{"name": "di"}], "meta": {"a": 1, "b": 2},
                                  "labels": {"env": "prod"}, "pair": [1, "one"],
                                  "triple": [1, 2, 3], "matrix": [[1, 2], [3]], "unique": ["p", "q"]}),
    "Deep": (Deep, {"org": {"name": "acme", "teams": [{"name": "core", "members": [
        {"login": "eve", "admin": True}, {"login": "fay_2"}]}]},
        "home": {"city": "Lyon"}, "lead": {"login": "gus"}}),
    "Unions": (Unions, {"value": 5, "item": {"city": "Bern"}, "amount": 2.5, "mixed": [1, "two"], "either": [1, 2]}),
    "Formats": (Formats, {"when": "2026-11-29T10:00:00Z", "day": "2026-11-30",
                          "ident": "7b0c3d9e-1f2a-4b5c-8d6e-9f0a1b2c3d4e", "price": "9.99", "span": "PT5S"}),
    "Sized": (Sized, {"tags": ["a", "b"], "scores": [0.5, 1.5], "grid": {"r": [1, 2]}, "nested": [1, None]}),
    "Pets": (Pets, {"pet": {"kind": "cat", "lives": 7}, "others": [{"kind": "dog"}], "color": "red"}),
    "Flat": (Flat, {"a": 1, "b": 2, "c": "three", "d": 4.5, "e": False}),
}

# Hand-written schemas for the Draft 2020-12 keywords pydantic does not emit, so every
# keyword of the validator is compared with Python's, not only those RunInput models use.
HANDWRITTEN = {
    "Combinators": ({
        "type": "object",
        "properties": {
            "one": {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 10}]},
            "never": {"not": {"type": "string"}},
            "gate": {
                "type": "object",
                "if": {"properties": {"kind": {"const": "file"}}, "required": ["kind"]},
                "then": {"required": ["path"]},
                "else": {"required": ["url"]},
            },
            "both": {"allOf": [{"type": "string"}, {"minLength": 2}, {"pattern": "^\\w+$"}]},
            "either": {"anyOf": [{"type": "array", "items": {"type": "integer"}},
                                 {"type": "object", "minProperties": 1}]},
            "nothing": {"anyOf": [False, {"type": "null"}]},
        },
        "required": ["one", "gate"],
    }, {"one": 3, "never": 5, "gate": {"kind": "file", "path": "/a"}, "both": "ok", "either": [1, 2]}),
    "Arrays": ({
        "type": "object",
        "properties": {
            "found": {"type": "array", "contains": {"type": "string"}, "minContains": 2,
                      "maxContains": 3},
            "some": {"type": "array", "contains": {"const": 1}},
            "set": {"type": "array", "uniqueItems": True},
            "fixed": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}],
                      "items": False},
            "rest": {"type": "array", "prefixItems": [{"type": "boolean"}],
                     "items": {"type": "number", "multipleOf": 0.5}},
            "leftover": {"type": "array", "prefixItems": [{"type": "integer"}],
                         "unevaluatedItems": False},
            "sized": {"type": "array", "minItems": 2, "maxItems": 2},
        },
    }, {"found": ["a", "b", 3], "some": [0, 1], "set": [1, "1", True, [1]], "fixed": [1, "a"],
        "rest": [True, 1.5, 2], "leftover": [4], "sized": [1, 2]}),
    "Objects": ({
        "type": "object",
        "properties": {
            "pair": {"type": "object", "dependentRequired": {"credit": ["billing"]},
                     "dependentSchemas": {"admin": {"required": ["reason"]}}},
            "names": {"type": "object", "propertyNames": {"pattern": "^[a-z]+$", "maxLength": 5}},
            "patterned": {"type": "object",
                          "patternProperties": {"^n_": {"type": "integer"}, "^s_": {"type": "string"}},
                          "additionalProperties": False},
            "sealed": {"type": "object", "properties": {"a": {"type": "integer"}},
                       "allOf": [{"properties": {"b": {"type": "string"}}}],
                       "unevaluatedProperties": False},
            "loose": {"type": "object", "properties": {"a": {"type": "integer"}},
                      "unevaluatedProperties": {"type": "string"}},
            "few": {"type": "object", "maxProperties": 2, "minProperties": 1},
            "typed": {"type": "object", "additionalProperties": {"type": ["integer", "null"]}},
        },
        "additionalProperties": False,
    }, {"pair": {"credit": 1, "billing": 2}, "names": {"abc": 1}, "patterned": {"n_1": 1, "s_x": "y"},
        "sealed": {"a": 1, "b": "x"}, "loose": {"a": 1, "z": "s"}, "few": {"k": 1},
        "typed": {"x": 1, "y": None}}),
    "Numbers": ({
        "type": "object",
        "properties": {
            "exact": {"const": {"k": [1, 2.0]}},
            "pick": {"enum": [1, "1", None, [1], {"a": True}]},
            "open": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1.5},
            "step": {"type": "number", "multipleOf": 0.25},
            "whole": {"type": "integer", "multipleOf": 3, "maximum": 9e15},
            "text": {"type": "string", "minLength": 1, "maxLength": 0},
            "many": {"type": ["string", "number", "boolean"]},
        },
    }, {"exact": {"k": [1, 2]}, "pick": [1], "open": 0.5, "step": 0.75, "whole": 6, "many": True}),
    "References": ({
        "$defs": {
            "node": {"$anchor": "node", "type": "object",
                     "properties": {"value": {"type": "integer"},
                                    "next": {"anyOf": [{"$ref": "#node"}, {"type": "null"}]}},
                     "required": ["value"]},
            "tagged": {"$id": "https://example.com/tagged",
                       "type": "object",
                       "properties": {"tag": {"$ref": "#/$defs/tag"}},
                       "$defs": {"tag": {"type": "string", "pattern": "^t-\\d{2}$"}}},
        },
        "type": "object",
        "properties": {
            "list": {"$ref": "#/$defs/node"},
            "tagged": {"$ref": "https://example.com/tagged"},
            "escaped": {"$ref": "#/$defs/tagged/%24defs/tag"},
        },
    }, {"list": {"value": 1, "next": {"value": 2, "next": None}}, "tagged": {"tag": "t-01"},
        "escaped": "t-02"}),
}

BROKEN_JSON = ["{bad", "[1,", "\"abc", "{\"a\": }", "01", "tru", "", "  ", "{\"a\" 1}", "[1 2]",
               "\"a\\x\"", "\"\\u12\"", "{\"k\": [1, 2,]}", "\n\n  x", "nul", "{'a': 1}", "\"tab\there\""]


def stored_schema(model) -> str:
    """The schema text as the server stores and reads it."""
    return json.dumps(create_v2_schema(model.__name__, model_base=model))


def server_verdict(run_input, schema: dict):
    """What resume_flow_run answers for a paused run whose pause asked for input; any other
    exception escapes the endpoint, which the server answers with HTTP 500."""
    try:
        return _server_verdict(run_input, schema)
    except Exception as exc:  # noqa: BLE001 - mirrors the server's catch-all 500
        return {"status": "HTTP 500", "reason": f"{type(exc).__name__}: {exc}"}


def _server_verdict(run_input, schema: dict):
    run_input = run_input or {}
    try:
        ctx = HydrationContext(raise_on_error=True, render_jinja=True, render_workspace_variables=True)
        hydrated = schema_tools.hydrate(run_input, ctx) or {}
    except HydrationError as exc:
        return {"status": "REJECT", "reason": f"Error hydrating run input: {exc}"}
    try:
        schema_tools.validate(hydrated, schema, raise_on_error=True)
    except schema_tools.ValidationError as exc:
        verdict = {"status": "REJECT", "reason": f"Reason: {exc}"}
        # Prefect raises its own error from jsonschema's best match: where it points.
        cause = exc.__cause__
        if hasattr(cause, "absolute_schema_path"):
            verdict["cause"] = {"instance_path": list(cause.absolute_path),
                                "schema_path": list(cause.absolute_schema_path),
                                "keyword": cause.validator or "falseSchema"}
        return verdict
    except schema_tools.CircularSchemaRefError:
        return {"status": "REJECT",
                "reason": "Invalid schema: Unable to validate schema with circular references."}
    return {"status": "ACCEPT", "stored": hydrated}


# --- damage -------------------------------------------------------------------------------

ODD_VALUES = [None, True, False, 0, -1, 7, 2.5, -0.5, 1.0, 1e20, 123456789012, "", "x", "it's",
              "a\"b", "é", "line\nbreak", "ABC-1", "2026-01-01", [], [1], ["a"], {}, {"k": 1},
              {"city": 5}, 3.14159, 1e-7, 100000000000000000.0, "both ' and \"", "back\\slash",
              "nul\x00", "nbsp\xa0", "sep\u2028", "emoji 😀", "zero\u200bwidth", "bell\x07",
              "del\x7f", 9007199254740993, -9223372036854775808, 1.7976931348623157e308, 5e-324,
              -0.0, 1e16, 1e15, 0.0001, 0.00001, {"nested": {"deep": [1, {"x": None}]}},
              [[], {}], {"a": "b", "c": [True, 1.5]}]


def paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, prefix + (index,))


def get(value, path):
    for step in path:
        value = value[step]
    return value


def put(value, path, new):
    if not path:
        return new
    parent = get(value, path[:-1])
    parent[path[-1]] = new
    return value


def mutate(rng: random.Random, value):
    value = copy.deepcopy(value)
    all_paths = list(paths(value))
    path = rng.choice(all_paths)
    if not isinstance(value, dict):
        return value
    node = get(value, path)
    kind = rng.choice(["replace", "replace", "delete", "extra", "number", "string", "json",
                       "broken_json", "none", "remove_json", "unknown_kind", "list_item"])
    if not path and kind not in ("json", "none", "extra"):
        # The body's run_input must stay an object: the root is only wrapped or extended,
        # other damage goes to a node inside it.
        inner = [p for p in all_paths if p]
        if not inner:
            return value
        path = rng.choice(inner)
        node = get(value, path)
    if kind == "replace":
        return put(value, path, copy.deepcopy(rng.choice(ODD_VALUES)))
    if kind == "delete" and path:
        parent = get(value, path[:-1])
        if isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, list):
            parent.pop(path[-1])
        return value
    if kind == "extra":
        targets = [p for p in all_paths if isinstance(get(value, p), dict)]
        target = get(value, rng.choice(targets))
        target[rng.choice(["extra", "zeta", "alpha", "x-y", "_k", "1"])] = rng.choice(ODD_VALUES)
        return value
    if kind == "number" and isinstance(node, (int, float)) and not isinstance(node, bool):
        return put(value, path, rng.choice([node * 1000, -node - 1, node + 0.5, 10 ** 6, -3]))
    if kind == "string" and isinstance(node, str):
        return put(value, path, rng.choice(["", node * 10, node.upper(), node + "!", "a"]))
    if kind == "json":
        return put(value, path, {"__prefect_kind": "json", "value": json.dumps(node)})
    if kind == "broken_json":
        return put(value, path, {"__prefect_kind": "json", "value": rng.choice(BROKEN_JSON)})
    if kind == "none":
        return put(value, path, {"__prefect_kind": "none", "value": node})
    if kind == "remove_json" and path:
        return put(value, path, {"__prefect_kind": "json"})
    if kind == "unknown_kind":
        return put(value, path, {"__prefect_kind": "mystery", "value": node})
    if kind == "list_item" and isinstance(node, list):
        node.append(rng.choice(ODD_VALUES))
        return value
    return put(value, path, copy.deepcopy(rng.choice(ODD_VALUES)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2400)
    parser.add_argument("--seed", type=int, default=20261129)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    schemas = {name: stored_schema(model) for name, (model, _) in MODELS.items()}
    schemas.update({name: json.dumps(schema) for name, (schema, _) in HANDWRITTEN.items()})
    examples = {name: example for name, (_, example) in {**MODELS, **HANDWRITTEN}.items()}
    cases = []
    names = list(examples)
    per_model = max(1, args.cases // len(names))
    for name in names:
        example = examples[name]
        schema = json.loads(schemas[name])
        inputs = [example, {}]
        while len(inputs) < per_model:
            damaged = example
            for _ in range(rng.choice([1, 1, 1, 2, 3])):
                damaged = mutate(rng, damaged)
            inputs.append(damaged)
        for index, run_input in enumerate(inputs):
            verdict = server_verdict(copy.deepcopy(run_input), schema)
            # input_json keeps what JSON-in-JS loses (1.0 apart from 1), as the server sees it.
            cases.append({"name": f"{name}-{index:04d}", "schema": name, "input": run_input,
                          "input_json": json.dumps(run_input), "expected": verdict})
    json.dump({"prefect_version": prefect.__version__, "seed": args.seed,
               "schemas": schemas, "cases": cases}, sys.stdout)


if __name__ == "__main__":
    main()
