//===- Apply.h - verify, patch, back up and undo source edits -------------===//
//
// Safety rules (docs/optimizer.md):
//  * an edit replaces the byte range [Begin, End) recorded in the trace, and
//    only if the range still hashes to the recorded FNV-1a 64 value;
//  * all edits of one file are applied from the end backwards, so the
//    recorded offsets stay valid;
//  * a step writes every file or none: originals are backed up first, each
//    file is replaced atomically (temp file, fsync, rename, mode kept), and a
//    failure restores what was already written;
//  * every step leaves a backup with a manifest, so `undo` can restore it.
//
//===----------------------------------------------------------------------===//
#ifndef TRACEOPT_APPLY_H
#define TRACEOPT_APPLY_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace traceopt {

/// FNV-1a 64-bit, the hash the plugin records for each parameter's text.
uint64_t fnv1a64(std::string_view Bytes);
/// "fnv1a64:<16 lowercase hex digits>".
std::string formatHash(uint64_t Hash);

/// One replacement of a parameter's text.
struct Edit {
  std::string ParamId, File;
  unsigned Line = 0;
  uint64_t Begin = 0, End = 0;
  std::string Hash; ///< "fnv1a64:..." of the original [Begin, End)
  std::string NewText;
  bool IsCode = false;
};

struct FilePatch {
  std::string File;
  std::string Original, Patched;
  /// The edits of this file, sorted by Begin, with their ranges in Patched.
  std::vector<Edit> Edits;
  std::vector<std::pair<uint64_t, uint64_t>> NewRanges;
};

struct PatchSet {
  std::vector<FilePatch> Files;
  bool empty() const { return Files.empty(); }
};

/// Why Content (a file's bytes) no longer holds E's recorded text: the range is past the end
/// or hashes differently ("file:line: source changed since the trace was recorded: ...");
/// nullopt when it still does.
std::optional<std::string> staleRange(const std::string &Content, const Edit &E);

/// Reads the files, checks every range's hash and computes the patched text.
/// Errors name file:line ("source changed since the trace was recorded").
std::optional<PatchSet> planPatches(const std::vector<Edit> &Edits, std::string &Error);

/// A unified diff of Old -> New ("--- a/Path", "+++ b/Path"); empty if equal.
std::string unifiedDiff(const std::string &Path, const std::string &Old, const std::string &New,
                        unsigned Context = 3);

/// Path relative to the current directory when the file is below it (for diffs and messages).
std::string displayPath(const std::string &Path);

bool readFile(const std::string &Path, std::string &Content, std::string &Error);
/// Writes via a temporary file in the same directory, fsync, rename; keeps the mode of an
/// existing file (or uses Mode when >= 0).
bool writeFileAtomic(const std::string &Path, const std::string &Content, std::string &Error,
                     int Mode = -1);

/// Backups of applied steps under <WorkDir>/backups/<step>/ with a manifest.json.
class BackupStore {
public:
  explicit BackupStore(std::string WorkDir) : WorkDir(std::move(WorkDir)) {}

  /// Backs up the originals, then writes every patched file atomically; all or nothing.
  /// Returns the step number.
  std::optional<unsigned> commit(const PatchSet &P, const std::string &Description, std::string &Error);

  /// Restores the files of the latest step not yet undone and marks it undone. Refuses when a
  /// file changed after the step was applied, unless Force. Report lists the restored files.
  bool undo(bool Force, bool DryRun, std::string &Report, std::string &Error);

  /// Restores every file to its content before step First (undoing First..latest, newest first)
  /// without asking; used by the loop to go back to its best version.
  bool restoreBefore(unsigned First, std::string &Error);

  /// The steps that are applied (not undone), oldest first.
  std::vector<unsigned> appliedSteps() const;

  const std::string &dir() const { return WorkDir; }

private:
  std::string WorkDir;
};

/// Creates a directory and its parents (like mkdir -p).
bool makeDirs(const std::string &Path, std::string &Error);

} // namespace traceopt

#endif
