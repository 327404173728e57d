"""__init__.pyi matches the module: every public class and function, and each class's methods."""
import ast
import pathlib

import leanspec

STUB = pathlib.Path(leanspec.__file__).with_name("__init__.pyi")


def stub_names():
    tree = ast.parse(STUB.read_text())
    classes, functions = {}, set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            members = set()
            for n in node.body:
                if isinstance(n, ast.FunctionDef):
                    members.add(n.name)
                elif isinstance(n, ast.AnnAssign):
                    members.add(n.target.id)
                elif isinstance(n, ast.Assign):
                    members.update(t.id for t in n.targets)
            classes[node.name] = members
        elif isinstance(node, ast.FunctionDef):
            functions.add(node.name)
    return classes, functions


def public(names):
    return {n for n in names if not n.startswith("_")}


def test_the_stub_names_exactly_the_public_api():
    classes, functions = stub_names()
    runtime = {n for n in dir(leanspec._leanspec) if not n.startswith("_")}
    assert set(classes) | functions == runtime


def test_each_class_has_the_methods_the_stub_names():
    classes, _ = stub_names()
    for name, members in classes.items():
        cls = getattr(leanspec, name)
        for member in public(members):
            if issubclass(cls, Exception) or hasattr(cls, "__members__") and member.isupper():
                continue
            assert hasattr(cls, member), f"{name}.{member} is in the stub but not the module"
        if not issubclass(cls, Exception) and not hasattr(cls, "__members__"):
            runtime = public(n for n in vars(cls) if not n.startswith("_"))
            missing = runtime - public(members)
            assert not missing, f"{name} has {missing} at run time but not in the stub"
