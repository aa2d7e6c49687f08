"""Shell completion for bash, zsh and fish, generated from the command-line parser.

``onna-tui completion SHELL`` prints a script that knows every command and option
(read off the argparse parser when the script is generated, so it never drifts
from ``--help``). Profile names are the one dynamic part: the script asks
``onna-tui __complete-profiles``, which reads config.toml with the standard
library's TOML reader and never touches the keyring, the network, pydantic or
textual (``storage.paths.profile_names``), so a completion stays cheap.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SHELLS = ("bash", "zsh", "fish")
#: The hidden command the scripts call for profile names.
PROFILES_COMMAND = "__complete-profiles"
#: Subcommands whose first positional argument is an existing profile's name.
_PROFILE_POSITIONAL = {"remove", "default", "set-secret", "update"}


@dataclass
class Node:
    """One command level: its subcommands, its options, what its values complete to."""

    path: str
    commands: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    #: Options that take a value, with the words that value completes to (None: any).
    valued: dict[str, list[str] | None] = field(default_factory=dict)
    #: Options whose value is a path: those complete to file names.
    paths: list[str] = field(default_factory=list)
    wants_profile: bool = False


def command_tree(parser: argparse.ArgumentParser) -> list[Node]:
    """Every command level of ``parser``, top level first."""
    return list(_walk(parser, ""))


def _walk(parser: argparse.ArgumentParser, path: str) -> Iterator[Node]:
    node = Node(path)
    children: list[tuple[str, argparse.ArgumentParser]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                node.commands.append(name)
                children.append((name, child))
        elif action.option_strings:
            if action.help is argparse.SUPPRESS:
                continue  # the --client-secret trap, and anything else hidden
            node.options.extend(action.option_strings)
            if action.nargs != 0:
                choices = [str(c) for c in action.choices] if action.choices else None
                for option in action.option_strings:
                    node.valued[option] = choices
                if action.metavar in ("FILE", "PATH", "DIR") or action.type is Path:
                    node.paths.extend(action.option_strings)
    last = path.rsplit(" ", 1)[-1]
    node.wants_profile = path.startswith("profile ") and last in _PROFILE_POSITIONAL
    yield node
    for name, child in children:
        yield from _walk(child, f"{path} {name}".strip())


def script(shell: str, parser: argparse.ArgumentParser, prog: str = "onna-tui") -> str:
    """The completion script for ``shell`` (one of SHELLS)."""
    tree = command_tree(parser)
    if shell == "bash":
        return _bash(tree, prog)
    if shell == "zsh":
        return _zsh(tree, prog)
    if shell == "fish":
        return _fish(tree, prog)
    raise ValueError(f"no completion for {shell!r}: choose one of {', '.join(SHELLS)}")


def _words(values: list[str]) -> str:
    return shlex.quote(" ".join(values))


def _table(tree: list[Node], indent: str, case_end: str) -> str:
    """A shell ``case`` body setting cmds/opts/valued/prof for the level in $cmdpath."""
    lines = []
    for node in tree:
        lines.append(f"{indent}{shlex.quote(node.path)})")
        lines.append(f"{indent}    cmds={_words(node.commands)}")
        lines.append(f"{indent}    opts={_words(node.options)}")
        lines.append(f"{indent}    valued={_words(list(node.valued))}")
        lines.append(f"{indent}    prof={1 if node.wants_profile else 0} {case_end}")
    return "\n".join(lines)


def _choices_case(tree: list[Node], indent: str, case_end: str) -> str:
    """A shell ``case`` body on "$cmdpath|$prev" giving an option value's words."""
    lines = []
    for node in tree:
        for option, choices in node.valued.items():
            key = shlex.quote(f"{node.path}|{option}")
            if choices:
                lines.append(f"{indent}{key}) answer={_words(choices)} {case_end}")
            elif option in node.paths:
                lines.append(f"{indent}{key}) files=1 {case_end}")
    return "\n".join(lines)


# The walk shared by bash and zsh: find the command level and the positionals typed so
# far, skipping the values of options that take one.
_POSIX_WALK = """\
    cmdpath=""
    _{fn}_level
    skip=0
    npos=0
    for w in "${{typed[@]}}"; do
        if [ "$skip" = 1 ]; then skip=0; continue; fi
        case "$w" in
            --*=*) ;;
            -*) case " $valued " in *" $w "*) skip=1 ;; esac ;;
            *)
                case " $cmds " in
                    *" $w "*) cmdpath="${{cmdpath:+$cmdpath }}$w"; _{fn}_level ;;
                    *) npos=$((npos + 1)) ;;
                esac ;;
        esac
    done
    answer=""
    files=0
    case " $valued " in
        *" $prev "*)
            if [ "$prev" = --profile ]; then
                answer="$(command {prog} {profiles} 2>/dev/null)"
            else
                case "$cmdpath|$prev" in
{choices}
                    *) ;;
                esac
            fi ;;
        *)
            case "$cur" in
                -*) answer="$opts" ;;
                *)
                    if [ -n "$cmds" ]; then answer="$cmds"
                    elif [ "$prof" = 1 ] && [ "$npos" = 0 ]; then
                        answer="$(command {prog} {profiles} 2>/dev/null)"
                    fi ;;
            esac ;;
    esac
"""


def _level_function(fn: str, tree: list[Node]) -> str:
    return (
        f"_{fn}_level() {{\n"
        '    case "$cmdpath" in\n'
        f"{_table(tree, '        ', ';;')}\n"
        '        *) cmds=""; opts=""; valued=""; prof=0 ;;\n'
        "    esac\n"
        "}\n"
    )


def _fn(prog: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in prog)


def _bash(tree: list[Node], prog: str) -> str:
    fn = _fn(prog)
    walk = _POSIX_WALK.format(
        fn=fn, prog=prog, profiles=PROFILES_COMMAND, choices=_choices_case(tree, " " * 20, ";;")
    )
    return (
        f"# {prog} completion for bash: add to ~/.bashrc\n"
        f'#   eval "$({prog} completion bash)"\n'
        f"{_level_function(fn, tree)}"
        f"_{fn}() {{\n"
        "    local cur prev cmdpath cmds opts valued prof skip npos w answer files\n"
        "    local -a typed\n"
        '    cur="${COMP_WORDS[COMP_CWORD]}"\n'
        '    prev="${COMP_WORDS[COMP_CWORD-1]}"\n'
        '    typed=("${COMP_WORDS[@]:1:COMP_CWORD-1}")\n'
        f"{walk}"
        '    if [ "$files" = 1 ]; then\n'
        "        compopt -o default 2>/dev/null\n"
        "        COMPREPLY=()\n"
        "        return 0\n"
        "    fi\n"
        '    COMPREPLY=($(compgen -W "$answer" -- "$cur"))\n'
        "}\n"
        f"complete -F _{fn} {prog}\n"
    )


def _zsh(tree: list[Node], prog: str) -> str:
    fn = _fn(prog)
    walk = _POSIX_WALK.format(
        fn=fn, prog=prog, profiles=PROFILES_COMMAND, choices=_choices_case(tree, " " * 20, ";;")
    )
    return (
        f"#compdef {prog}\n"
        f"# {prog} completion for zsh: add to ~/.zshrc (after compinit)\n"
        f'#   eval "$({prog} completion zsh)"\n'
        f"{_level_function(fn, tree)}"
        f"_{fn}() {{\n"
        "    local cur prev cmdpath cmds opts valued prof skip npos w answer files\n"
        "    local -a typed\n"
        "    cur=${words[CURRENT]}\n"
        "    prev=${words[CURRENT-1]}\n"
        '    typed=("${(@)words[2,CURRENT-1]}")\n'
        f"{walk}"
        '    if [ "$files" = 1 ]; then\n'
        "        _files\n"
        "        return\n"
        "    fi\n"
        "    compadd -- ${=answer}\n"
        "}\n"
        f"compdef _{fn} {prog}\n"
    )


def _fish(tree: list[Node], prog: str) -> str:
    fn = _fn(prog)
    lines = [
        f"# {prog} completion for fish: save as ~/.config/fish/completions/{prog}.fish",
        f"#   {prog} completion fish > ~/.config/fish/completions/{prog}.fish",
        *_fish_level_function(tree, fn),
        *_fish_walk(fn, prog),
        *_fish_value_cases(tree),
        *_fish_words(prog),
        f"complete -c {prog} -f -a '(__{fn}_complete)'",
    ]
    return "\n".join(lines) + "\n"


def _fish_level_function(tree: list[Node], fn: str) -> list[str]:
    """``__FN_level CMDPATH``: the level's commands, options, valued options and profile flag."""
    lines = [f"function __{fn}_level --argument-names cmdpath", "    switch $cmdpath"]
    for node in tree:
        lines.append(f"        case {shlex.quote(node.path)}")
        lines.append(f"            echo {_words(node.commands)}")
        lines.append(f"            echo {_words(node.options)}")
        lines.append(f"            echo {_words(list(node.valued))}")
        lines.append(f"            echo {1 if node.wants_profile else 0}")
    return [
        *lines,
        "        case '*'",
        "            echo ''; echo ''; echo ''; echo 0",
        "    end",
        "end",
    ]


def _fish_walk(fn: str, prog: str) -> list[str]:
    """The start of ``__FN_complete``: find the level and the positionals typed so far."""
    return [
        f"function __{fn}_complete",
        "    set -l typed (commandline -opc)[2..-1]",
        "    set -l cur (commandline -ct)",
        "    set -l prev ''",
        "    set -q typed[-1]; and set prev $typed[-1]",
        "    set -l cmdpath ''",
        f"    set -l level (__{fn}_level $cmdpath)",
        "    set -l skip 0",
        "    set -l npos 0",
        "    for w in $typed",
        "        if test $skip = 1",
        "            set skip 0",
        "            continue",
        "        end",
        "        if string match -q -- '--*=*' $w",
        "            continue",
        "        else if string match -q -- '-*' $w",
        "            contains -- $w (string split ' ' -- $level[3]); and set skip 1",
        "        else if contains -- $w (string split ' ' -- $level[1])",
        '            set cmdpath (string trim -- "$cmdpath $w")',
        f"            set level (__{fn}_level $cmdpath)",
        "        else",
        "            set npos (math $npos + 1)",
        "        end",
        "    end",
        "    if contains -- $prev (string split ' ' -- $level[3])",
        "        if test $prev = --profile",
        f"            command {prog} {PROFILES_COMMAND} 2>/dev/null",
        "            return",
        "        end",
    ]


def _fish_value_cases(tree: list[Node]) -> list[str]:
    """The ``switch`` on "$cmdpath|$prev" that completes an option's value."""
    lines = ['        switch "$cmdpath|$prev"']
    for node in tree:
        for option, choices in node.valued.items():
            key = shlex.quote(f"{node.path}|{option}")
            if choices:
                lines.append(f"            case {key}")
                lines.append(f"                string split ' ' -- {_words(choices)}")
            elif option in node.paths:
                lines.append(f"            case {key}")
                lines.append("                __fish_complete_path $cur")
    return [*lines, "        end", "        return", "    end"]


def _fish_words(prog: str) -> list[str]:
    """The end of ``__FN_complete``: options, subcommands or profile names."""
    return [
        "    if string match -q -- '-*' $cur",
        "        string split ' ' -- $level[2]",
        '    else if test -n "$level[1]"',
        "        string split ' ' -- $level[1]",
        "    else if test $level[4] = 1 -a $npos = 0",
        f"        command {prog} {PROFILES_COMMAND} 2>/dev/null",
        "    end",
        "end",
    ]
