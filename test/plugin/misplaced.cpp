// Attributes written where they mean nothing are errors, with the reason.
// RUN: %clangxx_trace -fsyntax-only -Xclang -verify %s

struct [[trace::bundle]] Type {}; // expected-error {{'trace::bundle' attribute cannot be applied to a type; it applies to function definitions}}
namespace [[trace::trainable]] Space {} // expected-error {{'trace::trainable' attribute cannot be applied to a namespace}}

void params([[trace::bundle]] int X); // expected-error {{'trace::bundle' attribute cannot be applied to a parameter}}

int locals() {
  [[trace::trainable]] int Local = 1; // expected-error {{'trace::trainable' attribute cannot be applied to a local variable with automatic storage}}
  [[trace::bundle]] return Local; // expected-error {{'trace::bundle' attribute cannot be applied to a statement}}
}

struct Holder {
  [[trace::trainable]] int Field = 2; // expected-error {{'trace::trainable' attribute cannot be applied to a non-static data member}}
  [[trace::trainable]] static inline int Shared = 3;
};

[[trace::bundle]] int Global = 4; // expected-error {{'trace::bundle' attribute cannot be applied to a variable; it applies to function definitions}}
[[trace::trainable]] thread_local int PerThread = 5; // expected-error {{'trace::trainable' attribute cannot be applied to a thread-local variable}}

[[trace::bundle(42)]] int badArg(int X) { return X; } // expected-error {{the argument of 'trace::bundle' must be one ordinary string literal}}
[[trace::bundle("a", "b")]] int twoArgs(int X) { return X; } // expected-error {{the argument of 'trace::bundle' must be one ordinary string literal}}
[[trace::bundle("described")]] int goodArg(int X) { return X; }
[[trace::trainable("must stay fast")]] double Gain = 0.5;
