#!/usr/bin/env python3
"""The glossary drift test: checks the public surfaces against docs/GLOSSARY.md.

    glossary_test.py REPO_ROOT [LEANSPEC_CLI]

Reads the glossary's tables (Fields, Types, Calls, Values, Environment, CLI flags, Deprecated)
and derives each concept's spelling per surface from its C++ name (JSON/Node: lowerCamelCase,
plus `Ms` for a bare-integer duration; Python: the C++ name; C and SQL: the JSON key in
snake_case), unless a cell spells it out. Then it reads every name the surfaces use:

  - bindings/python/leanspec/__init__.pyi: classes, methods, keyword arguments, attributes
  - bindings/node/index.d.ts: interfaces, classes, properties, methods, parameters
  - capi/leanspec.h: functions, struct fields, parameters, quoted JSON keys and values in docs
  - the JSON keys the library writes and reads (src/json, src/service/service_json.cpp,
    capi/convert.cpp, the Node addon), and with LEANSPEC_CLI those of `leanspec ... --json` on
    a generated tree
  - the environment variables (src/service, src/cache) and the CLI's flags (src/cli)
  - the SQL columns: capi-free, by running the SQLite migrations of src/db/migrations.cpp

and fails, naming the surface, the name and the glossary row, when a surface uses a name the
glossary does not know for it, when a deprecated alias is not marked deprecated where it is
declared, or when a Python and a Node method name their first parameter differently.
Standard library only (system python3).
"""
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
CLI = sys.argv[2] if len(sys.argv) > 2 else None
GLOSSARY = "docs/GLOSSARY.md"


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def camel(snake):
    head, *rest = snake.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def snake(name):
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


# ---- the glossary ----------------------------------------------------------------------------


def tables(markdown):
    """{section title: [row dicts]} for every table under a `## ` heading."""
    out, section, header = {}, None, None
    for line in markdown.splitlines():
        if line.startswith("## "):
            section, header = line[3:].strip(), None
        elif line.startswith("|") and section:
            cells = [c.strip().replace("`", "") for c in line.strip().strip("|").split("|")]
            if header is None:
                header = cells
            elif not all(set(c) <= set("-: ") for c in cells):
                out.setdefault(section, []).append(dict(zip(header, cells)))
        else:
            header = None if not line.startswith("|") else header
    return out


def spellings(cell):
    return [] if cell in ("", "-") else [s.strip() for s in cell.split(",") if s.strip()]


class Glossary:
    def __init__(self, markdown):
        t = tables(markdown)
        for needed in ("Fields", "Types", "Calls", "Values", "Environment", "CLI flags", "Deprecated"):
            if needed not in t:
                raise SystemExit(f"{GLOSSARY}: no table under '## {needed}'")
        # surface -> {name: row label}
        self.names = {s: {} for s in ("cpp", "json", "python", "c", "sql", "type", "call_py",
                                       "call_node", "call_c", "value", "env", "cli")}
        self.units = {}
        for row in t["Fields"]:
            cpp, unit = row["C++"], row["unit"]
            label = f"Fields row '{cpp if cpp != '-' else row['JSON / Node']}'"
            if cpp != "-":
                self.names["cpp"][cpp] = label
            ms = unit == "duration" and not cpp.endswith("_ms")
            json_cell = row["JSON / Node"]
            if json_cell == "":
                json_cell = camel(cpp) + ("Ms" if ms else "")
            for name in spellings(json_cell):
                self.names["json"][name] = label
            c_cell = row["C"] if row["C"] != "" else ", ".join(snake(n) for n in spellings(json_cell))
            for name in spellings(c_cell):
                self.names["c"][name] = label
            py = row["Python"] if row["Python"] != "" else cpp
            for name in spellings(py):
                self.names["python"][name] = label
            sql = row["SQL"] if row["SQL"] != "" else cpp + ("_ms" if ms else "") if cpp != "-" else "-"
            for name in spellings(sql):
                self.names["sql"][name] = label
            self.units[label] = unit
        for row in t["Types"]:
            label = f"Types row '{row['C++']}'"
            for col in ("C++", "Python", "Node"):
                cell = row[col] if row[col] != "" else row["C++"]
                for name in spellings(cell):
                    self.names["type"][name] = label
            for name in spellings(row["C"]):
                self.names["type"][name] = label
        for row in t["Calls"]:
            cpp = row["C++"]
            label = f"Calls row '{cpp if cpp != '-' else row['Python'] or row['Node']}'"
            derive = {"Python": cpp, "Node": camel(cpp) if cpp != "-" else "-",
                      "C": f"leanspec_source_{cpp}" if cpp != "-" else "-"}
            for col, surface in (("Python", "call_py"), ("Node", "call_node"), ("C", "call_c")):
                cell = row[col] if row[col] != "" else derive[col]
                for name in spellings(cell):
                    self.names[surface][name] = label
        for row in t["Values"]:
            for name in spellings(row["texts"]):
                self.names["value"][name] = f"Values row '{row['C++']}'"
        for row in t["Environment"]:
            self.names["env"][row["variable"]] = f"Environment row '{row['variable']}'"
            self.units[f"Environment row '{row['variable']}'"] = row["unit"]
        for row in t["CLI flags"]:
            self.names["cli"][row["flag"]] = f"CLI flags row '{row['flag']}'"
        self.deprecated = {}  # (surface, old) -> new
        # "CLI JSON": a key only the CLI writes, so Node's option of the same name is unrelated.
        surface_of = {"C++": "cpp", "JSON": "json", "Node": "json", "Python": "python", "C": "c",
                      "CLI": "cli", "env": "env", "SQL": "sql", "CLI JSON": "cli_json"}
        for row in t["Deprecated"]:
            for s in spellings(row["surface"]):
                self.deprecated[(surface_of[s], row["old"])] = row["new"]
                names = self.names["json" if s == "CLI JSON" else surface_of[s]]
                names.setdefault(row["old"], f"Deprecated row '{row['old']}'")
                if s == "C":  # a C name is a field or a function
                    self.names["call_c"].setdefault(row["old"], f"Deprecated row '{row['old']}'")


# ---- the surfaces ----------------------------------------------------------------------------

problems = []


def check(g, surface, name, where, kinds):
    """`name` must be a glossary name of one of `kinds` (surfaces of Glossary.names)."""
    for kind in kinds:
        if name in g.names[kind]:
            return g.names[kind][name]
    expected = {"json": "a JSON / Node spelling", "python": "a Python spelling",
                "c": "a C spelling (the JSON key in snake_case)", "sql": "an SQL column",
                "type": "a type", "call_py": "a Python call", "call_node": "a Node call",
                "call_c": "a C function", "value": "a Values text", "env": "an environment "
                "variable", "cli": "a CLI flag", "cpp": "a C++ field"}
    problems.append(f"{surface}: '{name}' ({where}) is not {' or '.join(expected[k] for k in kinds)}"
                    f" in {GLOSSARY}")
    return None


def deprecated_marked(g, surface, name, context, marker, where):
    new = g.deprecated.get((surface, name))
    if new is not None and marker not in context:
        problems.append(f"{where}: '{name}' is a deprecated alias of '{new}' ({GLOSSARY}, "
                        f"Deprecated) but is not marked {marker!r} there")


def params(signature):
    """Parameter names of a Python or TypeScript parameter list (no self)."""
    depth, parts, cur = 0, [], ""
    for ch in signature:
        if ch in "([{<":
            depth += 1
        elif ch in ")]}>":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    names = []
    for p in parts:
        m = re.match(r"\s*(?:\.\.\.)?\*{0,2}(\w+)", p)
        if m and m.group(1) not in ("self",):
            names.append(m.group(1))
    return names


def python_surface(g):
    text = read("bindings/python/leanspec/__init__.pyi")
    methods = {}  # (class, method) -> positional parameter names
    cls = None
    for m in re.finditer(r"^class (\w+)|^([ \t]*)def (\w+)\(((?:[^()]|\([^()]*\))*)\)|^    (\w+):.*$",
                         text, re.M):
        line = text[text.rfind("\n", 0, m.start()) + 1:text.find("\n", m.end())]
        if m.group(1):
            cls = m.group(1)
            check(g, "Python .pyi", cls, "class", ["type"])
        elif m.group(3):
            name, args = m.group(3), m.group(4)
            if m.group(2) == "":
                cls = None
            if not name.startswith("__"):
                check(g, "Python .pyi", name, f"def in {cls or 'module'}", ["call_py"])
            star = args.find("*")
            positional = params(args[:star] if star >= 0 else args)
            methods[(cls, name)] = positional
            for p in params(args) if not name.startswith("__") else []:
                if p not in ("args", "kwargs", "filters"):
                    check(g, "Python .pyi", p, f"parameter of {cls}.{name}", ["python"])
                    deprecated_marked(g, "python", p, line, "deprecated", "Python .pyi")
        elif m.group(5) and cls:
            name = m.group(5)
            if not name.isupper() and not name.startswith("_"):
                check(g, "Python .pyi", name, f"attribute of {cls}", ["python"])
                deprecated_marked(g, "python", name, line, "deprecated", "Python .pyi")
    return methods


def node_surface(g):
    text = read("bindings/node/index.d.ts")
    methods = {}
    lines = text.splitlines()
    cls, doc = None, ""
    for line in lines:
        s = line.strip()
        if s.startswith(("/**", "*", "//")):
            doc += s
            continue
        m = re.match(r"export (?:declare )?(interface|class|type|function|const) (\w+)", s)
        if m:
            kind, name = m.groups()
            cls = name if kind in ("interface", "class") else None
            if kind in ("interface", "class", "type"):
                check(g, "Node index.d.ts", name, kind, ["type"])
            else:
                check(g, "Node index.d.ts", name, f"exported {kind}", ["call_node"])
            rest = s[m.end():]
            if kind == "function":
                for p in params(rest[rest.find("(") + 1:rest.rfind("):")]):
                    check(g, "Node index.d.ts", p, f"parameter of {name}", ["json"])
            doc = ""
            continue
        if s == "}":
            cls = None
        if cls is None or not s:
            doc = ""
            continue
        method = re.match(r"(?:static |protected |readonly )*(\w+)\((.*)\)\s*:", s)
        if method:
            name = method.group(1)
            if name != "constructor":
                check(g, "Node index.d.ts", name, f"method of {cls}", ["call_node"])
            names = params(method.group(2))
            methods[(cls, name)] = names
            for p in names:
                check(g, "Node index.d.ts", p, f"parameter of {cls}.{name}", ["json"])
            inner = method.group(2)
        else:
            prop = re.match(r"(?:readonly )?(\w+)\??:", s)
            if prop:
                check(g, "Node index.d.ts", prop.group(1), f"property of {cls}", ["json"])
                deprecated_marked(g, "json", prop.group(1), doc, "@deprecated", "Node index.d.ts")
            inner = s[prop.end():] if prop else s
        # property names of inline object types: { status: Status; count: number }
        for p in re.findall(r"[{;,(]\s*(\w+)\??:", inner):
            check(g, "Node index.d.ts", p, f"inline property in {cls}", ["json"])
        doc = ""
    return methods


def c_surface(g):
    text = read("capi/leanspec.h")
    code = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    for m in re.finditer(r"\b(leanspec_\w+)\s*\(([^;{]*?)\)\s*LEANSPEC_NOEXCEPT", code):
        name = m.group(1)
        check(g, "C leanspec.h", name, "function", ["call_c"])
        for p in re.findall(r"(\w+)\s*(?:,|$)", m.group(2).strip()):
            if p not in ("void", "out", "source", "service", "str", "subscription", "status", "inner",
                         "opts", "callback", "user_data"):
                # `x_json`: the JSON text of x
                check(g, "C leanspec.h", p.removesuffix("_json"), f"parameter of {name}", ["c"])
    for m in re.finditer(r"typedef struct (\w+) \{(.*?)\}", code, re.S):
        for field in re.findall(r"(\w+);", m.group(2)):
            check(g, "C leanspec.h", field, f"field of {m.group(1)}", ["c"])
    for comment in re.findall(r"/\*.*?\*/", text, re.S):
        for word in re.findall(r'"([A-Za-z][A-Za-z_-]*)"', comment):
            if word.startswith("leanspec") or word.isupper():
                continue
            check(g, "C leanspec.h (documented JSON)", word, "quoted in a comment",
                  ["json", "value"])


def json_keys_in_sources(g):
    files = ["src/json/to_json.cpp", "src/service/service_json.cpp", "capi/convert.cpp"]
    for folder in ("src/json", "bindings/node/src"):
        path = os.path.join(ROOT, folder)
        if os.path.isdir(path):
            files += [os.path.join(folder, f) for f in sorted(os.listdir(path)) if f.endswith(".cpp")]
    for path in sorted(set(files)):
        if not os.path.exists(os.path.join(ROOT, path)):
            continue
        text = read(path)
        for key in re.findall(r'\bkey\("(\w+)"\)', text):
            check(g, f"JSON written by {path}", key, "key", ["json"])
        if path == "capi/convert.cpp":
            for key in re.findall(r'\bkey == "(\w+)"', text):
                check(g, f"JSON read by {path}", key, "key", ["json"])


def json_keys_of_cli(g):
    tree = tempfile.mkdtemp(prefix="glossary-")
    specs = os.path.join(tree, "specs")
    for folder, front in (("001-alpha", "status: planned\ntags: [a]\ncreated: 2025-11-01\n"
                                        "depends_on: [002-beta]\nowner_team: x\n"),
                          ("002-beta", "status: complete\npriority: high\ncompleted: 2025-11-02\n"
                                       "parent: 001-alpha\n")):
        os.makedirs(os.path.join(specs, folder))
        with open(os.path.join(specs, folder, "README.md"), "w") as f:
            f.write(f"---\n{front}---\n# {folder}\n\nBody text.\n")
    with open(os.path.join(specs, "001-alpha", "DESIGN.md"), "w") as f:
        f.write("# Design\n")

    def walk(value, command):
        if isinstance(value, dict):
            for key, item in value.items():
                check(g, f"JSON of `leanspec {command} --json`", key, "key", ["json"])
                if key not in ("frontmatter", "customFields"):
                    walk(item, command)
        elif isinstance(value, list):
            for item in value:
                walk(item, command)

    for command in (["list"], ["show", "1", "--html"], ["search", "body"], ["stats"],
                    ["deps", "1"], ["validate"]):
        run = subprocess.run([CLI, "--specs-dir", specs, *command, "--json"], capture_output=True,
                             text=True, timeout=60)
        if run.returncode not in (0, 1) or not run.stdout.strip():
            problems.append(f"leanspec {' '.join(command)} --json failed: {run.stderr.strip()}")
            continue
        walk(json.loads(run.stdout), " ".join(command))


def environment_and_cli(g):
    for folder in ("src/service", "src/cache"):
        for f in sorted(os.listdir(os.path.join(ROOT, folder))):
            for name in re.findall(r'\benv\("([A-Z_]+)"\)|getenv\("([A-Z_]+)"\)', read(f"{folder}/{f}")):
                name = name[0] or name[1]
                row = check(g, f"environment ({folder}/{f})", name, "variable", ["env"])
                if row and g.units.get(row) == "duration" and not name.endswith("_MS") and \
                        ("env", name) not in g.deprecated:
                    problems.append(f"environment: '{name}' is a duration in ms: its name must "
                                    f"end in _MS ({row})")
    for f in sorted(os.listdir(os.path.join(ROOT, "src/cli"))):
        if f.endswith(".cpp"):
            text = read(f"src/cli/{f}")
            for flag in re.findall(r'\{"(--[a-z-]+)", (?:true|false)\}', text):
                check(g, f"CLI (src/cli/{f})", flag, "flag", ["cli"])


def sql_surface(g):
    text = read("src/db/migrations.cpp")
    db = sqlite3.connect(":memory:")
    db.create_function("leanspec_search_terms", 1, lambda body: body or "")
    scripts = re.findall(r"constexpr const char \*(sqlite_\w+) = R\"sql\((.*?)\)sql\";", text, re.S)
    if not scripts:
        problems.append("src/db/migrations.cpp: no `constexpr const char *sqlite_... = R\"sql(...)sql\"`"
                        " scripts found: the test cannot read the SQL schema")
        return
    for name, script in scripts:
        try:
            db.executescript(script)
        except sqlite3.Error as e:
            problems.append(f"src/db/migrations.cpp: {name} does not run in sqlite3 ({e})")
            return
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                               "name NOT LIKE 'sqlite_%' AND name NOT LIKE 'spec_search%'"):
        for column in db.execute(f"PRAGMA table_info({table})"):
            check(g, "SQL (src/db/migrations.cpp)", column[1], f"column of {table}", ["sql"])


def cpp_surface(g):
    """Data members of the public structs: each must be a C++ name of the glossary."""
    folder = os.path.join(ROOT, "include/leanspec")
    for f in sorted(os.listdir(folder)):
        text = read(f"include/leanspec/{f}")
        for m in re.finditer(r"^struct (\w+) \{\n(.*?)^\};", text, re.S | re.M):
            body = re.sub(r"//.*", "", m.group(2))
            body = re.sub(r"\{[^{}]*\}", "", body)  # inline function bodies, brace initializers
            depth_free = re.sub(r"\([^()]*\)", "()", body)
            while re.search(r"<[^<>]*>", depth_free):  # template arguments
                depth_free = re.sub(r"<[^<>]*>", "", depth_free)
            for decl in depth_free.split(";"):
                decl = decl.strip()
                if not decl or "(" in decl or decl.startswith(("enum", "using", "static", "struct", "friend")):
                    continue
                decl = re.sub(r"\[\[.*?\]\]", "", decl)
                for part in decl.split(","):
                    name = re.match(r"[\w:<>\s,*&]*?(\w+)\s*(=.*)?$", part.strip())
                    if name:
                        check(g, f"C++ include/leanspec/{f}", name.group(1),
                              f"member of {m.group(1)}", ["cpp"])
                        new = g.deprecated.get(("cpp", name.group(1)))
                        # marked: [[deprecated]] or "Deprecated" in its declaration or doc comment
                        raw = re.search(r"(?:^|[;{}])([^;{}]*\b" + name.group(1) + r"\b[^;{}]*;)",
                                        m.group(2))
                        if new is not None and (not raw or "deprecated" not in raw.group(1).lower()):
                            problems.append(f"C++ include/leanspec/{f}: {m.group(1)}::"
                                            f"{name.group(1)} is a deprecated alias of '{new}'"
                                            f" ({GLOSSARY}, Deprecated) but is not marked "
                                            "[[deprecated]] or documented as Deprecated")


def same_parameters(py_methods, node_methods):
    """A call's first parameter has one name in Python and Node (ignoring option objects, and
    objects of the fields Python takes as keywords: a project, a new spec)."""
    for (cls, name), node_params in node_methods.items():
        py = py_methods.get((cls, snake(name)))
        if not py or not node_params:
            continue
        first = node_params[0]
        if first in ("options", "query", "config", "project", "patch", "spec", "listener",
                     "event"):
            continue
        if snake(first) != py[0]:
            problems.append(f"{cls}.{name}: Python names its first parameter '{py[0]}', Node "
                            f"'{first}': one concept, one name ({GLOSSARY}, Fields)")


def main():
    g = Glossary(read(GLOSSARY))
    cpp_surface(g)
    py = python_surface(g)
    node = node_surface(g)
    same_parameters(py, node)
    c_surface(g)
    json_keys_in_sources(g)
    if CLI:
        json_keys_of_cli(g)
    environment_and_cli(g)
    sql_surface(g)
    if problems:
        print(f"{len(set(problems))} name(s) drift from {GLOSSARY}:")
        for p in sorted(set(problems)):
            print("  " + p)
        print("Fix the surface, or add the name to the glossary's table (with its reason when it "
              "breaks a convention).")
        return 1
    print(f"every public name matches {GLOSSARY}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
