// A base class is shown inside a derived record only when it shows something itself: a base whose
// fields the bundle may not read would print as `Base: Base{...}`, which says no more than the
// type's name, and cost a call at every capture. It is counted with the fields not shown; a record
// with nothing to show at all keeps the runtime's `Type{...}`.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary

#include <cstdio>

class Node {
public:
  explicit Node(int D) : depth(D) {}

protected:
  int depth;
};

/// Every field hidden, and a base that shows nothing.
class Document : public Node {
public:
  Document() : Node(0), errors(3) {}
  int errorCount() const { return errors; }

private:
  int errors;
};

/// A field of its own, and a base that shows nothing.
class Labelled : public Node {
public:
  explicit Labelled(const char *L) : Node(1), label(L) {}
  const char *label;
};

struct Point2 {
  int x, y;
};

/// A base that shows its fields.
struct Point3 : Point2 {
  int z;
};

/// Documents are recorded by their type's name.
int errorsOf(const Document &D) { return D.errorCount(); }

/// The label, not the base.
int labelLength(const Labelled &L) {
  int N = 0;
  for (const char *P = L.label; *P; ++P)
    ++N;
  return N;
}

/// The base's fields, then the derived one's.
int sum(const Point3 &P) { return P.x + P.y + P.z; }

int main() {
  Document D;
  Labelled L("root");
  Point3 P;
  P.x = 1;
  P.y = 2;
  P.z = 3;
  std::printf("%d %d %d\n", errorsOf(D), labelLength(L), sum(P));
  return 0;
}

// CHECK: run: exit=0 stdout-lines=1
// CHECK-DAG: errorsOf(D=Document{...}) -> 3
// CHECK-DAG: labelLength(L={label: "root", +1 private}) -> 4
// CHECK-DAG: sum(P={Point2: {x: 1, y: 2}, z: 3}) -> 6
