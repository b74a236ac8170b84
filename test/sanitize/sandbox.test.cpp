#include <cstdio>
int main() { std::puts("built and ran in the sandbox"); }
