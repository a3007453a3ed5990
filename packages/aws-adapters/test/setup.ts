// Registers aws-sdk-client-mock's matchers (toHaveReceivedCommandWith and friends) for every test.
import 'aws-sdk-client-mock-vitest/extend';
