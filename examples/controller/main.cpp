// Numeric: the gains of a PID controller are trainable constants. The program simulates a step
// response of a first-order plant with a delay and scores it; trace-optimize tunes the gains.
#include <trace/trace.hpp>

#include <cmath>
#include <cstdio>
#include <string>

[[trace::trainable]] double Kp = 0.2;
[[trace::trainable]] double Ki = 0.0;
[[trace::trainable]] double Kd = 0.0;

struct Response {
  double Overshoot;     ///< percent above the setpoint at the peak
  double SettlingTime;  ///< seconds until the output stays within 2% of the setpoint
  double SteadyError;   ///< |setpoint - output| at the end
  bool Diverged;
};

/// Simulates 20 s of the closed loop (plant: tau = 1 s, gain 1, 0.1 s delay) after a unit step of the
/// setpoint, with the controller gains Kp, Ki, Kd.
[[trace::bundle]] Response simulate(double setpoint) {
  const double Dt = 0.01, Tau = 1.0;
  const int Steps = 2000, Delay = 10;
  double Y = 0, Integral = 0, PrevError = setpoint, Peak = 0, Settled = 0;
  double Pending[Delay] = {0};
  for (int I = 0; I < Steps; ++I) {
    double Error = setpoint - Y;
    Integral += Error * Dt;
    double U = Kp * Error + Ki * Integral + Kd * (Error - PrevError) / Dt;
    PrevError = Error;
    double Applied = Pending[I % Delay];
    Pending[I % Delay] = U;
    Y += Dt * (Applied - Y) / Tau;
    if (!std::isfinite(Y) || std::fabs(Y) > 1e6)
      return {0, 20, 1e6, true};
    Peak = std::max(Peak, Y);
    if (std::fabs(setpoint - Y) > 0.02 * setpoint)
      Settled = (I + 1) * Dt;
  }
  return {std::max(0.0, (Peak - setpoint) / setpoint * 100), Settled, std::fabs(setpoint - Y), false};
}

int main() {
  Response R = simulate(1.0);
  // Score in [0, 1]: fast settling, little overshoot, no steady-state error.
  double Score = R.Diverged ? 0.0
                            : 1.0 / (1.0 + R.SettlingTime / 5.0 + R.Overshoot / 20.0 + 10.0 * R.SteadyError);
  char Text[256];
  if (R.Diverged)
    std::snprintf(Text, sizeof(Text), "the closed loop diverged: the gains are far too high");
  else
    std::snprintf(Text, sizeof(Text),
                  "overshoot %.1f%% (want < 5%%), settling time %.2f s (want < 2 s), steady-state error %.4f "
                  "(want < 0.01)",
                  R.Overshoot, R.SettlingTime, R.SteadyError);
  std::printf("%s; score %.3f\n", Text, Score);
  bool Good = !R.Diverged && R.Overshoot < 5 && R.SettlingTime < 2 && R.SteadyError < 0.01;
  if (Good)
    trace::success(Text);
  else
    trace::feedback(R, Text, Score);
  return Good ? 0 : 1;
}
