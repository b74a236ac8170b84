// Classes without operator<< are rendered field by field, `{x: 1, y: 2}`, by renderers the plugin
// emits in the bundles' prologues (they used to read `Point{...}`): nested records, bases, records
// inside standard containers. Private fields show where the bundle may read them (a member
// function, a friend); elsewhere they are counted (`+1 private`). A pointer member shows its
// address and is never followed, so a list node stays one record; records nested through
// references stop at a depth bound. A union's active member is unknown: nothing of it is read. A
// volatile field is not read. A type with an operator<< of its own keeps it.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %corpus_plain %s -o %t/plain
// RUN: %corpus_trace %s -o %t/traced %corpus_ldflags
// RUN: %corpus_check --plain %t/plain --traced %t/traced --trace %t/trace.bin --source %s --calls > %t/summary
// RUN: FileCheck %s < %t/summary
// RUN: %dump %t/trace.bin | FileCheck --check-prefix=JSON %s
// RUN: %dump %t/trace.bin | FileCheck --check-prefix=NAMES %s

#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

namespace geo {
struct Point {
  int x;
  int y;
};
struct Segment {
  Point a;
  Point b;
  std::string label;
};
} // namespace geo

/// A class whose balance is private: its own members and its friend read it.
class Account {
public:
  explicit Account(int Id) : id(Id) {}
  int id;
  /// The balance after a deposit.
  long deposit(long Amount) {
    balance += Amount;
    return balance;
  }
  friend long audit(const Account &A);

private:
  long balance = 0;
};

/// A friend: sees the balance.
long audit(const Account &A) { return A.balance; }

/// Neither member nor friend: sees only the public id.
int accountId(const Account &A) { return A.id; }

/// A list node: the next node is shown by its address only.
struct Node {
  int value;
  Node *next;
};

/// A tree through references to its parent: each level nests one more record.
struct Level {
  int depth;
  const Level &parent;
};

/// A tagged value: the union's active member is the tag's business.
struct Tagged {
  int tag;
  union {
    int i;
    float f;
  };
  volatile int status;
};

struct Base {
  int base;
};
struct Derived : Base {
  unsigned flag : 3;
  struct {
    int w, h;
  } size;
};

/// A type that says how it reads.
struct Money {
  long cents;
  friend std::ostream &operator<<(std::ostream &OS, const Money &M) {
    return OS << M.cents / 100 << "." << M.cents % 100 << " EUR";
  }
};

int sum(geo::Point P) { return P.x + P.y; }
int length(const geo::Segment &S) { return S.b.x - S.a.x; }
int count(const std::vector<geo::Point> &Ps) { return static_cast<int>(Ps.size()); }
int second(const Node &N) { return N.next ? N.next->value : -1; }
int deepest(const Level &L) { return L.depth; }
int tagOf(const Tagged &T) { return T.tag; }
int flagOf(const Derived &D) { return static_cast<int>(D.flag) + D.base; }
long centsOf(Money M) { return M.cents; }

int main() {
  std::printf("%d\n", sum(geo::Point{1, 2}));
  geo::Segment S{{0, 0}, {3, 4}, "diagonal"};
  std::printf("%d\n", length(S));
  std::vector<geo::Point> Ps{{1, 1}, {2, 2}};
  std::printf("%d\n", count(Ps));
  Account A(7);
  std::printf("%d\n", accountId(A));
  A.deposit(50);
  std::printf("%ld\n", audit(A));
  Node Last{2, nullptr};
  Node First{1, &Last};
  First.next = &First; // A cycle: never followed.
  std::printf("%d\n", second(First));
  Level L0{0, L0};
  Level L1{1, L0}, L2{2, L1}, L3{3, L2}, L4{4, L3}, L5{5, L4}, L6{6, L5}, L7{7, L6}, L8{8, L7},
      L9{9, L8};
  std::printf("%d\n", deepest(L9));
  Tagged T{};
  T.tag = 1;
  T.i = 5;
  std::printf("%d\n", tagOf(T));
  Derived D{};
  D.base = 4;
  D.flag = 5;
  D.size.w = 6;
  D.size.h = 7;
  std::printf("%d\n", flagOf(D));
  std::printf("%ld\n", centsOf(Money{1234}));
  return 0;
}

// CHECK: run: exit=0 stdout-lines=10
// CHECK: thread 1
// CHECK: sum(P={x: 1, y: 2}) -> 3
// CHECK: length(S={a: {x: 0, y: 0}, b: {x: 3, y: 4}, label: "diagonal"}) -> 3
// CHECK: count(Ps=[{x: 1, y: 1}, {x: 2, y: 2}]) -> 2
// CHECK: Account::Account(Id=7) -> void
// CHECK: accountId(A={id: 7, +1 private}) -> 7
// CHECK: Account::deposit(Amount=50) -> 50
// CHECK: audit(A={id: 7, balance: 50}) -> 50
// CHECK: second(N={value: 1, next: 0x{{[0-9a-f]+}}}) -> 1
// CHECK: deepest(L={depth: 9, parent: {depth: 8, parent: {depth: 7
// CHECK: tagOf(T={tag: 1, union{...}, status: <volatile>}) -> 1
// CHECK: flagOf(D={Base: {base: 4}, flag: 5, size: {w: 6, h: 7}}) -> 9
// CHECK: centsOf(M=12.34 EUR) -> 1234

// A free function that is no friend does not read the private balance; a friend does. A member
// bundle emits no renderer for its own class (*this would be rendered at every call): its *this
// shows what the renderer another bundle registered shows, here accountId's.
// JSON: "name":"A","type":"Account","value":"{id: 7, +1 private}"
// JSON: "args":[{"name":"Amount","type":"long","value":"50"}],"this":{"type":"Account","value":"{id: 7, +1 private}"}
// JSON: "name":"A","type":"Account","value":"{id: 7, balance: 50}"
// The depth bound: eight records, then `{…}` (the value limit keeps the text short before it).
// JSON: "name":"L","type":"Level","value":"{depth: 9, parent: {depth: 8, parent: {depth: 7, parent: {depth: 6, parent: {depth: 5, parent: {depth: 4, parent: {depth: 3, parent: {depth: 2, parent: {…}}}}}}}}}"

// No value is shown by its type's name alone, but for the *this of Account's constructor (under
// `all`): it runs before accountId, the first bundle that takes an Account, registered the renderer.
// NAMES-NOT: "value":"{{[A-Za-z:]+}}{...}"
// NAMES: "this":{"type":"Account","value":"Account{...}"}
// NAMES-NOT: "value":"{{[A-Za-z:]+}}{...}"
