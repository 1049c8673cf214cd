"""Parses SQL statements with sqlglot's Teradata dialect, for tests/tools/teradata_grammar_test.ts.

stdin: a JSON array of SQL texts. stdout: a JSON object {"version": sqlglot's version, "results": [...]}, one
result per statement in input order: {"ok": true, "kind": the parsed expression's class} or {"ok": false,
"error": the parser's message}. Exit 3 (and a line on stderr) when sqlglot is not installed.

sqlglot 10.6 is lenient where Teradata is not; these are reported as errors too: an empty select list, a comma
right before FROM/WHERE/GROUP BY/HAVING/ORDER BY or a closing parenthesis, `?` read as PostgreSQL's JSONB
operator (a parameter marker where Teradata takes none), TOP read as a column name (a TOP clause sqlglot did
not see), a derived table without a name and ORDER BY in a subquery (Teradata allows the latter only with TOP n,
which the test removes before parsing; tdmcp sends neither form; these two rules are Teradata's behaviour as known,
not checked against a cited page).
"""
import json
import sys

try:
    import sqlglot
    from sqlglot import exp
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.errors import ErrorLevel
    from sqlglot.tokens import TokenType
except ImportError:
    print("sqlglot is not installed (Debian: apt-get install python3-sqlglot)", file=sys.stderr)
    sys.exit(3)


# Tokens a select-list or argument-list comma may not come right before.
AFTER_COMMA = {
    TokenType.FROM,
    TokenType.WHERE,
    TokenType.GROUP_BY,
    TokenType.HAVING,
    TokenType.ORDER_BY,
    TokenType.R_PAREN,
}


def lenient(sql, tree):
    """What sqlglot accepted that Teradata would not, or None."""
    tokens = Dialect.get_or_raise("teradata")().tokenizer.tokenize(sql)
    for before, after in zip(tokens, tokens[1:]):
        if before.token_type == TokenType.COMMA and after.token_type in AFTER_COMMA:
            return f"a comma right before {after.text!r} (line {after.line}, col {after.col})"
    for select in tree.find_all(exp.Select):
        if not select.expressions:
            return "an empty select list"
    if any(True for _ in tree.find_all(exp.JSONBContains)):
        return "'?' read as an operator: a parameter marker where Teradata takes none"
    for subquery in tree.find_all(exp.Subquery):
        if isinstance(subquery.parent, (exp.From, exp.Join)) and not subquery.alias:
            return "a derived table without a name"
    # sqlglot 10.6 hangs the ORDER BY of a set operation on its last SELECT: that one is the statement's own.
    last = tree
    while isinstance(last, exp.Union):
        last = last.expression
    for query in tree.find_all(exp.Select, exp.Union):
        if query is not tree and query is not last and query.args.get("order") is not None:
            return "ORDER BY in a subquery"
    for column in tree.find_all(exp.Column):
        if column.name.upper() == "TOP" and not column.this.args.get("quoted"):
            return "TOP read as a column name: a TOP clause in a form this check does not know"
    return None


def parse(sql):
    """One statement: parsed with errors raised (not the default warn-and-continue), or the parser's message."""
    try:
        tree = sqlglot.parse_one(sql, read="teradata", error_level=ErrorLevel.RAISE)
    except Exception as error:  # sqlglot raises ParseError, TokenError and sometimes plain ValueError/KeyError
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}
    if tree is None:
        return {"ok": False, "error": "parsed to nothing"}
    problem = lenient(sql, tree)
    if problem is not None:
        return {"ok": False, "error": f"accepted by sqlglot, invalid in Teradata: {problem}"}
    return {"ok": True, "kind": type(tree).__name__}


def main():
    statements = json.load(sys.stdin)
    results = [parse(sql) for sql in statements]
    json.dump({"version": sqlglot.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
