package flow

// ActorProcessor is the actor of what the processor reported (its webhooks):
// money moved or a card changed outside cardflow. The API's processor
// webhook endpoint sends it.
const ActorProcessor = "processor"

// KeepEventIDs bounds the processor event ids a workflow remembers to apply
// each once: the processors redeliver within hours, not thousands of events
// later, and the amounts they carry are running totals, so a repeat that
// slipped past would change nothing either.
const KeepEventIDs = 64
