# shellcheck shell=bash
# The site: a landing page (index.html, the `landing` binary) and one page per lab, each page its
# own wasm binary of the web crate (crates/web/src/bin/<lab id>.rs), built by trunk from its own
# HTML file. A lab page's HTML is crates/web/page.html with the lab's binary filled in, written to
# target/pages/<lab id>.html. Source this file after scripts/setup.sh.
#
#   distlab_lab_pages         the lab ids that have a page, one a line
#   distlab_lessons           writes every lab's lessons as data into target/lessons/ (the list and
#                             one file per lesson, which the pages fetch), with the core's tool
#   distlab_page_source ID    writes target/pages/ID.html (when it changed) and prints its path
#   distlab_build_site        builds every page with `trunk build --release` and puts them together
#                             in dist/ (relative URLs: it works from any folder of any static server)

distlab_lab_pages() {
  local f
  for f in "$DISTLAB_ROOT"/crates/web/src/bin/*.rs; do
    f="$(basename "$f" .rs)"
    [ "$f" = landing ] || printf '%s\n' "$f"
  done
}

distlab_lessons() {
  (cd "$DISTLAB_ROOT" && cargo run --quiet -p distlab-core --bin distlab-lessons -- target/lessons)
}

distlab_page_source() {
  local id="$1" out
  if [ ! -f "$DISTLAB_ROOT/crates/web/src/bin/$id.rs" ] || [ "$id" = landing ]; then
    distlab_err "there is no lab page '$id'; the labs are: $(distlab_lab_pages | tr '\n' ' ')"
    return 1
  fi
  out="$DISTLAB_ROOT/target/pages/$id.html"
  mkdir -p "$(dirname "$out")"
  local want
  want="$(sed "s/data-bin=\"LAB\"/data-bin=\"$id\"/" "$DISTLAB_ROOT/crates/web/page.html")"
  # Written only when it changes, so that `trunk serve` does not see a change on every start.
  if [ ! -f "$out" ] || [ "$(cat "$out")" != "$want" ]; then
    printf '%s\n' "$want" >"$out"
  fi
  printf '%s\n' "$out"
}

distlab_build_site() {
  local stage="$DISTLAB_ROOT/target/site" page src out t0 f name
  local pages=(landing)
  mapfile -t -O 1 pages < <(distlab_lab_pages)
  rm -rf "$stage" "$DISTLAB_ROOT/target/lessons"
  mkdir -p "$stage"
  t0=$SECONDS
  distlab_lessons || return 1
  printf '  lessons as data (target/lessons/): %d s\n' "$((SECONDS - t0))"
  echo "build time per page (the first also compiles the code the pages share):"
  for page in "${pages[@]}"; do
    if [ "$page" = landing ]; then
      src="$DISTLAB_ROOT/index.html"
      out=index.html
    else
      src="$(distlab_page_source "$page")" || return 1
      out="$page.html"
    fi
    t0=$SECONDS
    if ! trunk --quiet build "$src" --release true --dist "$stage/$page" --html-output "$out" \
      >"$stage/$page.log" 2>&1; then
      cat "$stage/$page.log" >&2
      distlab_err "trunk build of the page '$page' failed"
      return 1
    fi
    printf '  build %-10s %4d s\n' "$page" "$((SECONDS - t0))"
  done
  # One folder for the whole site: every page's HTML beside the assets, which trunk names after
  # their content, so that the pages share what they have in common (the style sheet, the icon,
  # the lessons), file by file.
  rm -rf "$DISTLAB_ROOT/dist"
  mkdir -p "$DISTLAB_ROOT/dist"
  local rel
  for page in "${pages[@]}"; do
    while IFS= read -r -d '' f; do
      rel="${f#"$stage/$page"/}"
      if [ -e "$DISTLAB_ROOT/dist/$rel" ]; then
        cmp -s "$f" "$DISTLAB_ROOT/dist/$rel" && continue
        distlab_err "two pages write different files at $rel"
        return 1
      fi
      mkdir -p "$(dirname "$DISTLAB_ROOT/dist/$rel")"
      cp "$f" "$DISTLAB_ROOT/dist/$rel"
    done < <(find "$stage/$page" -type f -print0)
  done
}
