"""One error type for bad input: it names the file, the line and what is allowed."""


class InputError(Exception):
    """Bad user input. The CLI prints it and exits with `exit_code`."""

    def __init__(self, path, message, line=None, field=None, exit_code=2):
        self.path, self.line, self.field, self.exit_code = str(path), line, field, exit_code
        where = self.path + (f":{line}" if line is not None else "")
        what = f" [{field}]" if field else ""
        self.message = message
        super().__init__(f"{where}{what}: {message}")

    def __reduce__(self):
        """Pickle by the constructor's arguments, so a worker process's InputError reaches the client intact."""
        return type(self), (self.path, self.message, self.line, self.field, self.exit_code)

def line_of(node, key=None, index=None):
    """1-based line of a mapping key or list item in YAML loaded round-trip (ruamel), when known."""
    try:
        if key is not None:
            return node.lc.key(key)[0] + 1
        if index is not None:
            return node.lc.item(index)[0] + 1
        return node.lc.line + 1
    except (AttributeError, KeyError, TypeError, IndexError):
        return None
