// Numeric tuning: the rate constant of Newton's law of cooling, fitted to
// measured temperatures of a cup of coffee. The score is the fit's
// root-mean-square error.
#include <trace/trace.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

/// k in T(t) = room + (start - room) * exp(-k t), per minute.
[[trace::trainable]] double CoolingRate = 0.5;

/// The temperature predicted after minutes, from 90 degrees in a room at 20.
[[trace::bundle]] double predict(double minutes) {
  return 20 + 70 * std::exp(-CoolingRate * minutes);
}

int main() {
  // Measured every 3 minutes for an hour (degrees Celsius, thermometer
  // resolution 0.1).
  const std::vector<double> Measured = {
      90.0, 74.4, 62.2, 52.8, 45.6, 39.7, 35.4, 32.0, 29.2, 27.2, 25.7,
      24.3, 23.4, 22.7, 22.0, 21.6, 21.3, 20.9, 20.7, 20.6, 20.4};
  double Sum = 0, Worst = 0, WorstAt = 0;
  for (size_t I = 0; I < Measured.size(); ++I) {
    double Minutes = 3.0 * double(I);
    double Error = predict(Minutes) - Measured[I];
    Sum += Error * Error;
    if (std::fabs(Error) > std::fabs(Worst)) {
      Worst = Error;
      WorstAt = Minutes;
    }
  }
  double Rmse = std::sqrt(Sum / double(Measured.size()));
  const double Target = 0.2;
  char Text[200];
  std::snprintf(Text, sizeof(Text),
                "root-mean-square error %.3f degrees (want at most %.1f) with "
                "CoolingRate = %g; the largest "
                "error is %+.2f degrees at minute %g (positive: the prediction "
                "is too warm)",
                Rmse, Target, CoolingRate, Worst, WorstAt);
  std::printf("%s\n", Text);
  trace::feedback(Text, 1 / (1 + Rmse));
  if (Rmse <= Target)
    trace::success(Text);
  return Rmse <= Target ? 0 : 1;
}
