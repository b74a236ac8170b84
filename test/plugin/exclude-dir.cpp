// A header under -fplugin-arg-trace-exclude-dir is never rewritten, even
// annotated, and its annotation alone does not make the TU worth the
// plugin's nested parse.
// RUN: %clangxx_trace -fplugin-arg-trace-exclude-dir=%S/Inputs/exclude-dir/vendor -fplugin-arg-trace-print -fplugin-arg-trace-verbose -fsyntax-only -I%S/Inputs/exclude-dir %S/Inputs/exclude-dir/main.cpp 2>&1 | FileCheck %s --check-prefix=EXCLUDED
// RUN: %clangxx_trace -fplugin-arg-trace-print -fplugin-arg-trace-verbose -fsyntax-only -I%S/Inputs/exclude-dir %S/Inputs/exclude-dir/main.cpp 2>&1 | FileCheck %s --check-prefix=INCLUDED
// An annotation in the main file: the excluded header is still left alone.
// RUN: %clangxx_trace -fplugin-arg-trace-exclude-dir=%S/Inputs/exclude-dir/vendor -fplugin-arg-trace-print -fplugin-arg-trace-verbose -fsyntax-only -I%S/Inputs/exclude-dir %S/Inputs/exclude-dir/annotated-main.cpp > %t.out 2> %t.err
// RUN: FileCheck %s --check-prefix=MAIN < %t.out
// RUN: FileCheck %s --check-prefix=MAIN-VERBOSE < %t.err
// A folder that is only a prefix of the header's folder's name excludes nothing.
// RUN: %clangxx_trace -fplugin-arg-trace-exclude-dir=%S/Inputs/exclude-dir/vend -fplugin-arg-trace-print -fsyntax-only -I%S/Inputs/exclude-dir %S/Inputs/exclude-dir/main.cpp 2>&1 | FileCheck %s --check-prefix=INCLUDED
// RUN: not %clangxx_trace -fplugin-arg-trace-exclude-dir= -fsyntax-only %S/Inputs/exclude-dir/main.cpp 2>&1 | FileCheck %s --check-prefix=EMPTY

// EXCLUDED: trace plugin: {{.*}}main.cpp: no annotation, not rewritten
// EXCLUDED-NOT: trace rewritten

// INCLUDED: //=== trace rewritten: {{.*}}vendor{{/|\\}}annotated.h
// INCLUDED: inline int vendorTwice(int X) {{[{].+}}"vendorTwice(int)"

// MAIN: //=== trace rewritten: {{.*}}annotated-main.cpp
// MAIN-NOT: trace rewritten: {{.*}}annotated.h
// MAIN-VERBOSE: trace plugin: {{.*}}annotated-main.cpp: 1 bundle(s), 0 left alone, {{.*}} 1 file(s) rewritten
// MAIN-VERBOSE: trace plugin: {{.*}}vendor{{/|\\}}annotated.h (under {{.*}}vendor): excluded folder, not rewritten

// EMPTY: error: trace plugin: option 'exclude-dir' needs a folder
