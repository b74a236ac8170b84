// Text: order records are parsed by a trainable function and rendered through a trainable template.
// The expected messages give feedback; trace-optimize fixes the parser and the wording.
#include <trace/trace.hpp>

#include <cstdio>
#include <string>
#include <vector>

struct Order {
  std::string Customer;
  int Id = 0;
  int Items = 0;
};

/// The message sent for each order: {customer}, {id} and {items} are replaced.
[[trace::trainable]] std::string MessageTemplate = "Order {id} shipped.";

/// Parses a record "id=<number>;customer=<name>;items=<number>" (fields in any order).
[[trace::trainable]] Order parse_order(const std::string &record) {
  Order O;
  size_t Eq = record.find('=');
  size_t Semi = record.find(';');
  O.Id = std::stoi(record.substr(Eq + 1, Semi - Eq - 1));
  return O;
}

static std::string fill(std::string Template, const std::string &Key, const std::string &Value) {
  for (size_t At; (At = Template.find(Key)) != std::string::npos;)
    Template.replace(At, Key.size(), Value);
  return Template;
}

/// Renders the message for one order.
[[trace::bundle]] std::string render(const Order &order) {
  std::string S = fill(MessageTemplate, "{customer}", order.Customer);
  S = fill(S, "{id}", std::to_string(order.Id));
  return fill(S, "{items}", std::to_string(order.Items));
}

int main() {
  struct Case {
    std::string Record, Expected;
  };
  const std::vector<Case> Cases = {
      {"id=17;customer=Ada;items=3", "Dear Ada, your order 17 with 3 items has shipped."},
      {"customer=Grace;items=1;id=5", "Dear Grace, your order 5 with 1 items has shipped."},
      {"items=12;id=230;customer=Linus", "Dear Linus, your order 230 with 12 items has shipped."},
  };
  int Passed = 0;
  for (const Case &C : Cases) {
    std::string Got;
    try {
      Order O = parse_order(C.Record);
      Got = render(O);
    } catch (const std::exception &E) {
      trace::feedback("parsing \"" + C.Record + "\" threw " + E.what());
      continue;
    }
    if (Got == C.Expected) {
      ++Passed;
      trace::feedback(Got, "correct");
    } else {
      trace::feedback(Got, "wrong: expected \"" + C.Expected + "\"");
    }
  }
  std::printf("%d of %zu messages right\n", Passed, Cases.size());
  if (Passed == int(Cases.size()))
    trace::success("all messages right");
  else
    trace::feedback(std::to_string(Passed) + " of " + std::to_string(Cases.size()) + " messages right",
                    double(Passed) / Cases.size());
  return Passed == int(Cases.size()) ? 0 : 1;
}
