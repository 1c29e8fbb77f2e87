#!/usr/bin/env python3
"""Import circles among src/ files: reads every `crate::`, `shownotes::` and
`super::` path in src/**/*.rs (use lines and inline paths, tests included),
resolves each to the file that defines the module, and prints the strongly
connected groups of files (each group is one or more import circles), the
library files that import from the CLI, and the count of `pub` items.

Usage: tools/import_cycles.py [REPO]   (default: the current folder)
"""
import os
import re
import sys

root = os.path.join(sys.argv[1] if len(sys.argv) > 1 else ".", "src")
files = {}
for d, _, names in os.walk(root):
    for n in names:
        if n.endswith(".rs"):
            p = os.path.relpath(os.path.join(d, n), root)
            files[p] = open(os.path.join(d, n), encoding="utf-8").read()


def module_of(path):
    """The module path (list) of a file: a/b.rs and a/b/mod.rs are [a, b]."""
    parts = path[:-3].split("/")
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return parts


def file_of(mod):
    """The file defining module `mod`, or the nearest parent's."""
    for i in range(len(mod), -1, -1):
        m = mod[:i]
        if not m:
            return None
        for cand in ("/".join(m) + ".rs", "/".join(m) + "/mod.rs"):
            if cand in files:
                return cand
    return None


path_re = re.compile(
    r"(?<![\w:])(crate|shownotes|super|self)((?:::super)*)::((?:[A-Za-z_]\w*::)*[A-Za-z_]\w*|\{[^}]*\})"
)
mod_re = re.compile(r"(?m)^\s*(?:pub(?:\([^)]*\))? )?mod (\w+);")
graph = {f: set() for f in files}


def add_edge(f, mod):
    target = file_of(mod)
    if target and target != f:
        graph[f].add(target)


for f, text in files.items():
    here = module_of(f)
    children = mod_re.findall(text)
    child_re = re.compile(r"(?<![\w:])(" + "|".join(children) + r")::") if children else None
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("//"):
            continue
        for m in path_re.finditer(s):
            base, supers, rest = m.group(1), m.group(2), m.group(3)
            if base in ("crate", "shownotes"):
                start = []
            elif base == "self":
                start = list(here)
            else:
                # `super` is the parent of this file's module.
                n = 1 + supers.count("super")
                start = here[: len(here) - n] if n <= len(here) else []
            if rest.startswith("{"):
                for item in rest[1:-1].split(","):
                    name = item.strip().split("::")[0].split(" ")[0]
                    if name and name != "self":
                        add_edge(f, start + [name])
                    elif name == "self":
                        add_edge(f, start)
            else:
                add_edge(f, start + rest.split("::"))
        if child_re:
            for m in child_re.finditer(s):
                add_edge(f, here + [m.group(1)])

# Tarjan's strongly connected components.
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
sys.setrecursionlimit(10000)


def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in graph[v]:
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(sorted(comp))


for v in sorted(graph):
    if v not in index:
        visit(v)

is_cli = lambda f: f == "main.rs" or f == "cli.rs" or f.startswith("cli/")
lib_to_cli = sorted((f, t) for f in graph for t in graph[f] if not is_cli(f) and is_cli(t))
pub_re = re.compile(
    r"(?m)^\s*pub (?:const |static |fn |struct |enum |trait |type |mod |use |unsafe fn |async fn )"
)
pub_lib = sum(len(pub_re.findall(t)) for f, t in files.items() if not is_cli(f))
pub_bin = sum(len(pub_re.findall(t)) for f, t in files.items() if is_cli(f))
print(f"files: {len(files)}")
print(f"import circles (groups of files importing each other): {len(sccs)}")
for c in sccs:
    print(f"  {len(c)} files: {', '.join(c)}")
print(f"library files importing the CLI: {len(lib_to_cli)}")
for f, t in lib_to_cli:
    print(f"  {f} -> {t}")
print(f"`pub` items (fn, struct, enum, trait, type, const, static, mod, use): library {pub_lib}, command line {pub_bin}")
