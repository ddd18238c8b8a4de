"""Dependencies made in a sync endpoint's own worker thread, right before the endpoint.

FastAPI makes each sync dependency in a worker thread and then runs the sync endpoint in another,
so an authenticated request crossed from the event loop to a thread and back once for its
principal and once for its endpoint. A crossing (a queue hand-off, a thread wake-up, a wake-up of
the loop, the GIL changing hands) cost more CPU than the membership query it carried, and under
load it waited milliseconds for the GIL. A dependency marked with `in_endpoint_thread` is instead
*collected* on the event loop: FastAPI solves the dependency's own dependencies as usual, and the
call waits in a `Pending` that `EndpointInThread` makes in the endpoint's thread, before the
endpoint's body. A marked generator (the request's transaction) is entered there too and closed
after the endpoint, with its error if it raised.

Order is kept: the marked dependencies are made before the endpoint reads anything, and when
FastAPI refuses the request's parameters or body first (it validates them after making the
dependencies), `make_refused` makes them before the 422 goes out, so a refused caller still gets
401 or 403. A route is rewritten only when all its other dependencies run on the event loop (async
ones, which by convention do no I/O): a sync dependency in a thread of its own could read data
before a marked one has, say, authenticated the caller. Other routes, and async endpoints, get the
marked dependencies from FastAPI as before.
"""

import dataclasses
import functools
import inspect
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from typing import Annotated, Any, TypeVar, get_args, get_origin

from anyio import to_thread
from fastapi import params

from shelfwise.operations.request_transaction import finish_in_endpoint_thread

Call = Callable[..., Any]
C = TypeVar("C", bound=Call)

# A marked dependency -> what to make in the endpoint's thread (same parameters), and whether
# that is a generator function, entered as a context manager.
_THREAD_CALLS: dict[Call, tuple[Call, bool]] = {}


def in_endpoint_thread(dependency: C, run: Call | None = None) -> C:
    """Mark `dependency` to be made in a sync endpoint's thread. `run`, with the same parameters,
    is what is made there, for an async dependency (default: `dependency`, then sync): a function,
    or a generator function, entered before the endpoint and closed after it, with its error."""
    call = run or dependency
    enters = inspect.isgeneratorfunction(call)
    _THREAD_CALLS[dependency] = (contextmanager(call) if enters else call, enters)
    return dependency


class Pending:
    """A marked dependency's call with its solved arguments, made at most once per request."""

    __slots__ = ("_arguments", "_call", "_enters", "_value", "made")

    def __init__(self, call: Call, enters: bool, arguments: dict[str, Any]) -> None:
        self._call = call
        self._enters = enters
        self._arguments = arguments
        self._value: Any = None
        self.made = False

    def make(self, exits: ExitStack) -> Any:
        """The dependency's value, making it (and the marked dependencies it needs) first; a
        context manager's exit goes on `exits`."""
        if not self.made:
            arguments = {
                name: value.make(exits) if isinstance(value, Pending) else value
                for name, value in self._arguments.items()
            }
            value = self._call(**arguments)
            self._value = exits.enter_context(value) if self._enters else value
            self.made = True
        return self._value


# The Pending calls of the request being handled, for `make_refused`.
_COLLECTED: ContextVar[list[Pending] | None] = ContextVar("endpoint_thread_pending", default=None)


class _Collector:
    """What FastAPI calls in place of a marked dependency: on the event loop, with the
    dependency's parameters (marked sub-dependencies collected in turn); returns a Pending."""

    def __init__(self, dependency: Call) -> None:
        self.dependency = dependency
        self._call, self._enters = _THREAD_CALLS[dependency]
        signature = inspect.signature(dependency, eval_str=True)
        parameters = [_collecting(parameter) for parameter in signature.parameters.values()]
        self.__signature__ = signature.replace(parameters=parameters, return_annotation=Pending)

    async def __call__(self, **arguments: Any) -> Pending:  # no I/O: stays on the loop
        pending = Pending(self._call, self._enters, arguments)
        collected = _COLLECTED.get()
        if collected is not None:
            collected.append(pending)
        return pending


@functools.cache
def _collector(dependency: Call) -> _Collector:
    # One collector per dependency: FastAPI's per-request cache then hands every parameter that
    # needs the dependency the same Pending, made once.
    return _Collector(dependency)


def marked_dependency(call: Call) -> Call:
    """The dependency that `call` collects, if it is a collector; else `call`."""
    return call.dependency if isinstance(call, _Collector) else call


def _depends(parameter: inspect.Parameter) -> params.Depends | None:
    """The `Depends` FastAPI reads from `parameter`, if any."""
    if isinstance(parameter.default, params.Depends):
        return parameter.default
    if get_origin(parameter.annotation) is Annotated:
        declared = [
            item
            for item in get_args(parameter.annotation)[1:]
            if isinstance(item, params.Depends | params.Param | params.Body)
        ]
        if declared and isinstance(declared[-1], params.Depends):  # FastAPI takes the last
            return declared[-1]
    return None


def _collecting(parameter: inspect.Parameter) -> inspect.Parameter:
    """`parameter` depending on a collector where it depends on a marked dependency."""
    depends = _depends(parameter)
    if depends is None or depends.dependency not in _THREAD_CALLS:
        return parameter
    collecting = dataclasses.replace(depends, dependency=_collector(depends.dependency))
    if parameter.default is depends:
        return parameter.replace(annotation=Pending, default=collecting)
    return parameter.replace(annotation=Annotated[Pending, collecting])


def _dependencies(parameters: Iterable[inspect.Parameter]) -> Iterator[Call]:
    """The dependencies `parameters` declare (a bare `Depends()` names its annotation)."""
    for parameter in parameters:
        depends = _depends(parameter)
        if depends is None:
            continue
        if depends.dependency is not None:
            yield depends.dependency
        elif get_origin(parameter.annotation) is Annotated:
            yield get_args(parameter.annotation)[0]
        else:
            yield parameter.annotation


def _runs_on_loop(call: Call) -> bool:
    """Whether FastAPI makes `call`, and all it depends on, on the event loop."""
    if call in _THREAD_CALLS:
        return False  # needed by an unmarked dependency, so FastAPI makes it itself
    is_async = (
        inspect.iscoroutinefunction(call)
        or inspect.isasyncgenfunction(call)
        or (not inspect.isclass(call) and inspect.iscoroutinefunction(type(call).__call__))
    )
    if not is_async:
        return False
    parameters = inspect.signature(call, eval_str=True).parameters.values()
    return all(_runs_on_loop(dependency) for dependency in _dependencies(parameters))


class EndpointInThread:
    """A sync endpoint as FastAPI calls it under `JsonRoute`: in its one worker thread, the
    marked dependencies it needs are made first, then the endpoint runs, then what they opened
    (the request's transaction) is closed: committed, or rolled back on the endpoint's error."""

    def __init__(self, endpoint: Call, route_dependencies: Iterable[params.Depends] = ()) -> None:
        functools.update_wrapper(self, endpoint)  # the name and docstring FastAPI documents
        self.endpoint = endpoint
        signature = inspect.signature(endpoint, eval_str=True)
        declared = list(signature.parameters.values())
        collecting = [_collecting(parameter) for parameter in declared]
        self.pending = [
            new.name for new, old in zip(collecting, declared, strict=True) if new is not old
        ]
        others = [depends.dependency for depends in route_dependencies if depends.dependency]
        if not all(_runs_on_loop(call) for call in [*_dependencies(collecting), *others]):
            self.pending, collecting = [], declared
        self.__signature__ = signature.replace(parameters=collecting)

    def __call__(self, **arguments: Any) -> Any:
        with ExitStack() as exits:  # closed with the endpoint's error, if any: rolls back
            for name in self.pending:
                arguments[name] = arguments[name].make(exits)
            result = self.endpoint(**arguments)
        # A route not rewritten got its transaction from FastAPI (see request_transaction.py).
        finish_in_endpoint_thread()
        return result


@contextmanager
def collecting() -> Iterator[list[Pending]]:
    """Collect the Pending calls made while handling one request."""
    collected: list[Pending] = []
    token = _COLLECTED.set(collected)
    try:
        yield collected
    finally:
        _COLLECTED.reset(token)


async def make_refused(collected: list[Pending], refusal: Exception) -> None:
    """Make, in a worker thread, the Pending calls no endpoint made because FastAPI refused the
    request's parameters or body: their errors (401, 403) come first, as when FastAPI makes the
    dependencies itself, before it validates parameters. Raises one of those, or `refusal`."""
    waiting = [pending for pending in collected if not pending.made]
    if waiting:
        await to_thread.run_sync(_make_then_refuse, waiting, refusal)


def _make_then_refuse(waiting: list[Pending], refusal: Exception) -> None:
    with ExitStack() as exits:  # what they opened is closed with the refusal (a rollback)
        for pending in waiting:
            pending.make(exits)
        raise refusal
