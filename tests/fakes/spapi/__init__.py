"""A fake Amazon Selling Partner API built from the official models (start with server.py).

models.py      loads ../shared/data/spapi/models: operations, routes, usage plans parsed from text
validation.py  a response against its operation's response schema (jsonschema, draft 4)
requests.py    a request as handlers see it, refused (400) where it breaks the model
server.py      the HTTP server: LWA, access tokens, faults, buckets, routing to handlers
handlers/      one module per API, answering from state
state.py       the seeded marketplace, kept as model-shaped documents, and their builders
lwa.py clock.py ratelimit.py faults.py paging.py   one concern each
sandbox.py     replays the models' static sandbox pairs against the fake
examples.py    seeded state, calls and expectations shared by the tests
"""
