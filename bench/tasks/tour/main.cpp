// Speed of a route: a delivery tour through 40 fixed points. plan_tour starts
// by visiting them in the order given; the score is the target length over the
// tour's length.
#include <trace/trace.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

struct Point {
  double X = 0, Y = 0;
};

/// The length of the closed tour through points in the order given by order.
static double tourLength(const std::vector<Point> &Points,
                         const std::vector<int> &Order) {
  double Length = 0;
  for (size_t I = 0; I < Order.size(); ++I) {
    const Point &A = Points[size_t(Order[I])],
                &B = Points[size_t(Order[(I + 1) % Order.size()])];
    Length += std::hypot(A.X - B.X, A.Y - B.Y);
  }
  return Length;
}

/// Returns the order in which to visit points (each index once) so that the
/// closed tour, back to the first point, is as short as possible.
[[trace::trainable]] std::vector<int>
plan_tour(const std::vector<Point> &points) {
  std::vector<int> order(points.size());
  std::iota(order.begin(), order.end(), 0);
  return order;
}

int main() {
  std::vector<Point> Points(40);
  uint32_t State = 2024;
  for (Point &P : Points) {
    State = State * 1664525u + 1013904223u;
    P.X = double((State >> 20) % 1000);
    State = State * 1664525u + 1013904223u;
    P.Y = double((State >> 20) % 1000);
  }
  std::vector<int> Order = plan_tour(Points);
  std::vector<int> Sorted = Order;
  std::sort(Sorted.begin(), Sorted.end());
  std::vector<int> Want(Points.size());
  std::iota(Want.begin(), Want.end(), 0);
  if (Sorted != Want) {
    trace::feedback(Order,
                    "wrong: the tour must visit each of the " +
                        std::to_string(Points.size()) +
                        " points exactly once (a permutation of 0.." +
                        std::to_string(Points.size() - 1) + ")",
                    0.0);
    std::printf("not a tour\n");
    return 1;
  }
  const double Target = 5500;
  double Length = tourLength(Points, Order);
  char Text[200];
  std::snprintf(Text, sizeof(Text), "the tour is %.1f long (want at most %.0f)",
                Length, Target);
  std::printf("%s\n", Text);
  trace::feedback(Order, Text, std::min(1.0, Target / Length));
  if (Length <= Target)
    trace::success(Text);
  return Length <= Target ? 0 : 1;
}
