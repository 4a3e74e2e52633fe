"""Use cases. Each takes plain arguments (and the acting user), never a request, so that the
CLI, the API, the pages and the tests call the same functions. Services flush; the caller
(a route, a command, a test) decides when the unit of work commits."""
