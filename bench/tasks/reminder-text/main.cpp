// Text workflow: a payment reminder is made from a trainable template. Each
// message is checked for what it must say and how long it may be; the score is
// the share of checks that pass.
#include <trace/trace.hpp>

#include <cstdio>
#include <string>
#include <vector>

/// The reminder sent to each customer: {name}, {amount} (e.g. 12.50) and {due}
/// (e.g. 2026-01-31) are replaced.
[[trace::trainable]] std::string ReminderTemplate = "Payment due.";

static std::string fill(std::string Text, const std::string &Key,
                        const std::string &Value) {
  for (size_t At = Text.find(Key); At != std::string::npos;
       At = Text.find(Key, At + Value.size()))
    Text.replace(At, Key.size(), Value);
  return Text;
}

/// Writes the reminder for one customer.
[[trace::bundle]] std::string remind(const std::string &name,
                                     const std::string &amount,
                                     const std::string &due) {
  return fill(fill(fill(ReminderTemplate, "{name}", name), "{amount}", amount),
              "{due}", due);
}

int main() {
  struct Customer {
    std::string Name, Amount, Due;
  };
  const std::vector<Customer> Customers = {
      {"Bo", "12.50", "2026-01-31"},
      {"Ada Lovelace", "310.00", "2026-02-15"},
      {"Alexandra Konstantinopoulou", "1234.56", "2026-12-01"},
  };
  const size_t MaxLength = 64;
  int Passed = 0, Total = 0;
  for (const Customer &C : Customers) {
    std::string Got = remind(C.Name, C.Amount, C.Due);
    std::vector<std::string> Problems;
    auto Check = [&](bool Ok, const std::string &Problem) {
      ++Total;
      Passed += Ok;
      if (!Ok)
        Problems.push_back(Problem);
    };
    Check(Got.find(C.Name) != std::string::npos,
          "it does not name the customer (" + C.Name + ")");
    Check(Got.find(C.Amount + " EUR") != std::string::npos,
          "it does not state the amount as \"" + C.Amount + " EUR\"");
    Check(Got.find(C.Due) != std::string::npos,
          "it does not give the due date " + C.Due);
    Check(Got.size() <= MaxLength, "it is " + std::to_string(Got.size()) +
                                       " characters long, more than " +
                                       std::to_string(MaxLength) +
                                       " (an SMS preview)");
    Check(!Got.empty() && Got.back() == '.',
          "it does not end with a full stop");
    Check(Got.find_first_of("{}") == std::string::npos,
          "it still holds a placeholder or a brace");
    std::string Text = "\"" + Got + "\": ";
    for (size_t I = 0; I < Problems.size(); ++I)
      Text += (I ? "; " : "") + Problems[I];
    trace::feedback(Got, Problems.empty() ? "correct" : "wrong: " + Text);
  }
  std::printf("%d of %d checks pass\n", Passed, Total);
  trace::feedback(std::to_string(Passed) + " of " + std::to_string(Total) +
                      " checks pass",
                  double(Passed) / Total);
  if (Passed == Total)
    trace::success("every reminder passes every check");
  return Passed == Total ? 0 : 1;
}
