[[trace::trainable]] bool is_leap(int year) {
  return year % 4 == 0;
}
int main() {
  int Failures = 0;
  Failures += is_leap(2024) != true;
  Failures += is_leap(1900) != false;
  Failures += is_leap(2100) != false;
  Failures += is_leap(2000) != true;
  return Failures;
}
