#!/usr/bin/env bash
# Every whole-script ```lua block of README.md runs as shown (issue 17 item 3).
# Fragments and blocks that need a profile, a stored CA or the plain interpreter
# are marked by an HTML comment right before the fence; the words are listed in
# lib/readme_examples.py.
. "$(dirname "$0")/lib/common.sh"
need python3 openssl
NM_SLOW=$SLOW python3 "$(dirname "$0")/lib/readme_examples.py" "$(dirname "$0")/../../README.md"
