// Numeric tuning: the smoothing factor of an exponential moving average. Too
// large and the noise passes through; too small and the average lags behind the
// signal. The score is measured error.
#include <trace/trace.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

/// The weight of each new sample in the moving average, between 0 and 1.
[[trace::trainable]] double Alpha = 0.9;

/// Smooths the samples: y[0] = x[0], y[t] = y[t-1] + Alpha * (x[t] - y[t-1]).
[[trace::bundle]] std::vector<double>
smooth(const std::vector<double> &samples) {
  std::vector<double> Out(samples.size());
  for (size_t T = 0; T < samples.size(); ++T)
    Out[T] =
        T == 0 ? samples[0] : Out[T - 1] + Alpha * (samples[T] - Out[T - 1]);
  return Out;
}

int main() {
  // A slow sine wave (period 400 samples, amplitude 10) with uniform noise in
  // [-4, 4] from a fixed linear congruential generator, so every run sees the
  // same samples.
  const double Pi = 3.14159265358979323846;
  std::vector<double> Clean(2000), Noisy(2000);
  uint32_t State = 12345;
  for (size_t T = 0; T < Clean.size(); ++T) {
    State = State * 1664525u + 1013904223u;
    Clean[T] = 10 * std::sin(2 * Pi * double(T) / 400);
    Noisy[T] = Clean[T] + 8 * (double(State >> 8) / double(1u << 24) - 0.5);
  }
  std::vector<double> Smoothed = smooth(Noisy);
  double Sum = 0;
  for (size_t T = 0; T < Clean.size(); ++T)
    Sum += (Smoothed[T] - Clean[T]) * (Smoothed[T] - Clean[T]);
  double Rmse = std::sqrt(Sum / double(Clean.size()));
  const double Target = 0.85;
  char Text[200];
  std::snprintf(
      Text, sizeof(Text),
      "root-mean-square error %.3f against the clean signal with Alpha = %g "
      "(want at most %.2f; the "
      "noise is uniform in [-4, 4], the signal a sine of period 400 samples)",
      Rmse, Alpha, Target);
  std::printf("%s\n", Text);
  trace::feedback(Smoothed, Text, 1 / (1 + Rmse));
  if (Rmse <= Target)
    trace::success(Text);
  return Rmse <= Target ? 0 : 1;
}
