"""wabasim for Python tests: start the simulator binary on a free port (`Server`), and steer a
namespace of it through the control API (`Control`). The pytest plugin (`wabasim.pytest_plugin`,
registered as a `pytest11` entry point) gives both as fixtures.

Only the standard library is used, so the helper adds nothing to a test suite but itself.
"""

from .control import Control, ControlError, NAMESPACE_HEADER
from .server import Server, ServerError

# The binary's version (Cargo.toml): the helper speaks the control API of that release.
__version__ = "0.1.0"

__all__ = ["Control", "ControlError", "NAMESPACE_HEADER", "Server", "ServerError", "__version__"]
