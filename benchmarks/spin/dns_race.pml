/*
 * The DynamoDB DNS race, as `outage-tui explore` explores it, in Promela.
 *
 * Same configuration and the same untimed semantics as the explorer's DNS
 * core: one regional endpoint (one hosted zone), one Planner issuing MAXP
 * plans, E Enactors and one clean-up per Enactor. Generations are numbered
 * from 0 (the plan live before the run, 99 in the scenario) to MAXP.
 *
 *  - Enactor: takes the newest plan it has not seen; checks ONCE that it is
 *    newer than the applied plan; reads the TXT lock; then submits one atomic
 *    change batch: the lock must be as read (else abort and retry), [fix
 *    RECHECK: the plan must still be newer than the alias, else abandon],
 *    create the plan's tree, flip the alias and repoint the rollback record
 *    (abort if the old alias tree is gone, unless TOLERANT). After a full
 *    application it leaves its clean-up a request.
 *  - Clean-up: deletes trees THRESH generations older than the plan just
 *    applied, in one batch [fix PROTECT: sparing alias and rollback targets].
 *  - The lock's expiry is not modelled: in untimed semantics a lock still
 *    held only delays an Enactor, which the scheduler does anyway.
 *
 * Invariants as assertions, checked after every clean-up batch:
 *   NeverDeleteActive  - clean-up never deletes the tree the alias points at;
 *   EndpointNeverEmpty - the endpoint still resolves (with TOLERANT, the
 *                        zone falls back to the rollback tree).
 *
 * spin -a [-DE=2 -DMAXP=5 -DTHRESH=2 -DRECHECK -DPROTECT -DTOLERANT] dns_race.pml
 * gcc -O2 -DSAFETY -o pan pan.c && ./pan
 */

#ifndef E
#define E 2
#endif
#ifndef MAXP
#define MAXP 5
#endif
#ifndef THRESH
#define THRESH 2
#endif

#ifdef TOLERANT
#define TOLERATE 1
#else
#define TOLERATE 0
#endif
#ifdef PROTECT
#define SPARE 1
#else
#define SPARE 0
#endif
#ifdef RECHECK
#define FRESH_CHECK 1
#else
#define FRESH_CHECK 0
#endif

#define NG (MAXP + 1)

bool trees[NG];   /* trees[g]: generation g's record tree exists in the zone */
byte alias = 0;   /* the top-level alias: the active generation */
byte rollback = 0;
bool lock_ok[E];  /* lock_ok[i]: the TXT lock is still what Enactor i read (a successful batch rewrites it) */
byte latest = 0;  /* newest plan issued (0: none yet besides the live one) */
byte req[E];      /* clean-up request per Enactor: generation (0: none) */

active proctype Planner() {
    byte g = 1;
    do
    :: g <= MAXP -> latest = g; g++
    :: else -> break
    od
}

proctype Enactor(byte id) {
    byte seen = 0;
    byte plan;
    bool fresh;
    byte j;
    byte outcome;   /* 0 aborted (retry), 1 applied, 2 stale (abandon) */
end:
    do
    :: d_step {     /* look for a newer plan; the one-time "newer than applied" check */
          latest != seen -> seen = latest; plan = latest; fresh = plan > alias
       };
       if
       :: !fresh -> skip
       :: else ->
          do
          :: lock_ok[id] = true;   /* read the lock */
             d_step {            /* the change batch, all or nothing */
                if
                :: !lock_ok[id] -> outcome = 0
                :: else ->
                   if
                   :: FRESH_CHECK && alias >= plan -> outcome = 2
                   :: else ->
                      if
                      :: !trees[alias] && !TOLERATE -> outcome = 0   /* rollback cannot point at a deleted plan */
                      :: else ->
                         j = 0;
                         do
                         :: j < E -> lock_ok[j] = false; j++
                         :: else -> break
                         od;
                         j = 0;
                         trees[plan] = true;
                         if
                         :: alias != plan -> rollback = (trees[alias] -> alias : plan)
                         :: else -> skip
                         fi;
                         alias = plan;
                         req[id] = plan;   /* fully applied (one endpoint): ask for clean-up */
                         outcome = 1
                      fi
                   fi
                fi
             };
             if
             :: outcome == 0 -> skip      /* back off, retry the endpoint */
             :: else -> break
             fi
          od
       fi
    od
}

proctype Cleanup(byte id) {
    byte applied;
    byte g;
    bool deleted_active;
end:
    do
    :: d_step { req[id] != 0 -> applied = req[id]; req[id] = 0 };
       d_step {
          deleted_active = false;
          g = 0;
          do
          :: g < NG ->
             if
             :: trees[g] && g + THRESH < applied && !(SPARE && (g == alias || g == rollback)) ->
                trees[g] = false;
                deleted_active = deleted_active || g == alias
             :: else -> skip
             fi;
             g++
          :: else -> break
          od;
          assert(!deleted_active);                                  /* NeverDeleteActive */
          assert(trees[alias] || (TOLERATE && trees[rollback]));    /* EndpointNeverEmpty */
          g = 0
       }
    od
}

init {
    byte i = 0;
    atomic {
        trees[0] = true;
        do
        :: i < E -> run Enactor(i); run Cleanup(i); i++
        :: else -> break
        od
    }
}
