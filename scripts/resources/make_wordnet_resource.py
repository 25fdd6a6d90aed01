#!/usr/bin/python3
"""Builds the embedded WordNet 3.0 synonym resource used by jury-flavour METEOR.

Input: the Princeton WordNet 3.0 database files as installed by Debian's `wordnet-base`
package (default /usr/share/wordnet, or the directory given as the first argument).
Output (both committed):
  src/Micar.Core/Resources/wordnet/wn30-synonyms.txt.gz   compact derived database
  src/Micar.Core/Resources/wordnet/LICENSE                WordNet 3.0 licence, from the files' header

The compact file keeps exactly what nltk's English `synsets()` lookup needs for METEOR:
for each part of speech, every index lemma with its synsets, each synset's word forms
(syntactic markers such as "(a)" stripped; multi-word forms containing "_" dropped because
METEOR ignores them), and the morphological exception list. Glosses, pointers and frames
are left out. Format (UTF-8, '\n' line ends):

  micar-wordnet-synonyms 1
  #pos <n|v|a|r> <synset count> <index lemma count> <exception count>
  <synset lines: space-separated word forms, possibly empty; synset i is line i>
  <index lines: lemma followed by the synset numbers (0-based, within this pos)>
  <exception lines: inflected form followed by its base forms>
  ... repeated for n, v, a, r ...

Deterministic: same input gives byte-identical output (gzip mtime 0).
Run: /usr/bin/python3 scripts/resources/make_wordnet_resource.py [WORDNET_DIR]
"""
import gzip
import os
import re
import sys

POS = [("n", "noun"), ("v", "verb"), ("a", "adj"), ("r", "adv")]
MARKER = re.compile(r"(.*?)(\(.*\))?$")


def read_synsets(path):
    """Returns (byte offset -> synset number, list of word lists) for a data.<pos> file."""
    raw = open(path, "rb").read()
    numbers, synsets = {}, []
    pos = 0
    for line in raw.split(b"\n"):
        start, pos = pos, pos + len(line) + 1
        if not line or line.startswith(b" "):
            continue
        fields = line.split(b"|")[0].decode("utf-8").split()
        if int(fields[0]) != start:
            sys.exit(f"{path}: synset at byte {start} says offset {fields[0]}")
        count = int(fields[3], 16)
        words = []
        for k in range(count):
            word = MARKER.match(fields[4 + 2 * k]).group(1)
            if "_" not in word and word not in words:
                words.append(word)
        numbers[start] = len(synsets)
        synsets.append(words)
    return numbers, synsets


def read_index(path, numbers):
    entries = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if line.startswith(" "):
                continue
            fields = line.split()
            n_synsets, n_pointers = int(fields[2]), int(fields[3])
            offsets = fields[6 + n_pointers: 6 + n_pointers + n_synsets]
            if len(offsets) != n_synsets or int(fields[4 + n_pointers]) != n_synsets:
                sys.exit(f"{path}:{lineno}: malformed index line")
            entries.append((fields[0], [numbers[int(o)] for o in offsets]))
    return entries


def read_exceptions(path):
    with open(path, encoding="utf-8") as f:
        return [line.split() for line in f if line.split()]


def licence_text(path):
    """The licence header of a WordNet database file: lines '  N text', numbers stripped."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith(" "):
                break
            out.append(re.sub(r"^\s*\d+ ?", "", line.rstrip()))
    return "\n".join(out).strip() + "\n"


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/wordnet"
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    out_dir = os.path.join(root, "src", "Micar.Core", "Resources", "wordnet")
    os.makedirs(out_dir, exist_ok=True)
    lines = ["micar-wordnet-synonyms 1"]
    for pos, name in POS:
        numbers, synsets = read_synsets(os.path.join(src, f"data.{name}"))
        index = read_index(os.path.join(src, f"index.{name}"), numbers)
        exceptions = read_exceptions(os.path.join(src, f"{name}.exc"))
        lines.append(f"#pos {pos} {len(synsets)} {len(index)} {len(exceptions)}")
        lines.extend(" ".join(words) for words in synsets)
        lines.extend(" ".join([lemma] + [str(i) for i in ids]) for lemma, ids in index)
        lines.extend(" ".join(terms) for terms in exceptions)
        print(f"{name}: {len(synsets)} synsets, {len(index)} lemmas, {len(exceptions)} exceptions")
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with open(os.path.join(out_dir, "wn30-synonyms.txt.gz"), "wb") as f:
        f.write(gzip.compress(data, compresslevel=9, mtime=0))
    notice = ("WordNet 3.0 (Princeton University). The file wn30-synonyms.txt.gz in this folder is\n"
              "derived from the WordNet 3.0 database files; it is distributed under the WordNet 3.0\n"
              "licence reproduced below.\n\n")
    with open(os.path.join(out_dir, "LICENSE"), "w", encoding="utf-8") as f:
        f.write(notice + licence_text(os.path.join(src, "index.noun")))
    print(f"{len(data)} bytes uncompressed")


if __name__ == "__main__":
    main()
