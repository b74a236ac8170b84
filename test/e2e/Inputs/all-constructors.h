// Small members of a project header: under the default bound on small header
// functions (-fplugin-arg-trace-min-size), 'all' leaves them alone.
struct Point {
  int X, Y;
  Point(int X, int Y) : X(X), Y(Y) {}
  ~Point() {}
  explicit operator bool() const { return X != 0 || Y != 0; }
};
