// A campaign's own programs (campaign "programs", docs/campaign.md): built
// against the guest's user library natively and through the mirror
// translator, into copies of the build's disk images that hold them beside
// the standard programs.
#ifndef MH_USERPROGS_H
#define MH_USERPROGS_H

#include <stddef.h>

#include "campaign.h"
#include "err.h"

// Builds c's programs (c->programs_dir, relative to campaign_path's
// directory unless absolute) with the build tree's
// xv6-memv6/userprogs.cmake into build/userprogs/<campaign name>/, and
// stores the two images' paths in disk_native and disk_memv6 (cap bytes
// each). -1 with e saying what did not build and what the compiler or the
// translator said (file:line), or why the build could not run.
int mh_userprogs_build(const struct mh_campaign *c, const char *campaign_path, const char *build,
                       char *disk_native, char *disk_memv6, size_t cap, struct mh_err *e);

#endif
