/**
 * FindCoordinator v4 (KIP-699): the coordinators of many groups in one request, which kafkajs
 * 2.2.4 cannot send. Encoded and decoded by the generic codec from the message's schema.
 */
import { MessageDecoder, RequestEncoder } from "./codec.ts";
import { FindCoordinatorRequest, FindCoordinatorResponse } from "./messages/find_coordinator.ts";

/** One key's answer in a FindCoordinator v4 response. */
export interface CoordinatorResponse {
  key: string;
  nodeId: number;
  errorCode: number;
}

const GROUP_KEY_TYPE = 0;
const request = new RequestEncoder(FindCoordinatorRequest, 4);
const response = new MessageDecoder(FindCoordinatorResponse, { version: 4 });

/** The API key and version of the requests encoded here. */
export const FIND_COORDINATOR = request.api;

/** FindCoordinator v4 body for the coordinators of many groups. */
export function encodeFindGroupCoordinatorsV4(groupIds: readonly string[]): Uint8Array {
  return request.encode({ keyType: GROUP_KEY_TYPE, coordinatorKeys: [...groupIds] });
}

/** Decodes a FindCoordinator v4 response (after the correlation id). */
export function decodeFindCoordinatorV4(payload: Uint8Array): CoordinatorResponse[] {
  return response.decode(payload).coordinators.map(({ key, nodeId, errorCode }) => ({
    key,
    nodeId,
    errorCode,
  }));
}
