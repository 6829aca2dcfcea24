// Mailbox: mail runs on the owning task's thread, in posting order; running it from another
// thread breaks the operator's single-threadedness, which checked builds catch.
#include "eddy/runtime/mailbox.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace eddy::runtime {
namespace {

TEST(MailboxTest, MailPostedFromOtherThreadsRunsOnTheOwnerInPostingOrder) {
  Mailbox mailbox;
  std::vector<int> ran;
  const std::thread::id owner = std::this_thread::get_id();
  bool all_on_owner = true;
  std::thread poster([&] {
    for (int i = 0; i < 100; ++i) {
      mailbox.post([&, i] {
        ran.push_back(i);
        all_on_owner = all_on_owner && std::this_thread::get_id() == owner;
      });
    }
  });
  poster.join();
  EXPECT_TRUE(mailbox.has_mail());
  mailbox.run_all();
  EXPECT_FALSE(mailbox.has_mail());
  std::vector<int> expected;
  for (int i = 0; i < 100; ++i) expected.push_back(i);
  EXPECT_EQ(ran, expected);
  EXPECT_TRUE(all_on_owner);
}

TEST(MailboxTest, RunningMailOffTheOwnersThreadFailsACheck) {
  if (!kDcheckEnabled) GTEST_SKIP() << "EDDY_DCHECK is off in this build";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Mailbox mailbox;
        mailbox.run_all();  // this thread owns the mailbox now
        std::thread([&] { mailbox.run_all(); }).join();
      },
      "Mailbox::run_all\\(\\) called off the owning task's thread");
}

}  // namespace
}  // namespace eddy::runtime
