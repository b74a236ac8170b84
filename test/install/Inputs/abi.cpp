/// Adds one.
[[trace::bundle]] int inc(int x) { return x + 1; }

int main() { return inc(41) == 42 ? 0 : 1; }
