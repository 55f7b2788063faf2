/**
 * Who consumes what: the members of a consumer group and their partitions, as the lag of a
 * group reports them (owner labels, the status page, the JSON API). Kafka's answers are turned
 * into these by kafka/; nothing here knows how they were read.
 */

/** A topic partition. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A member of a consumer group and the partitions assigned to it now. */
export interface GroupMember {
  memberId: string;
  /** group.instance.id of a static member. */
  instanceId?: string;
  clientId: string;
  host: string;
  assignment: TopicPartition[];
  /** Why the assignment could not be decoded: the member then owns no partition. */
  assignmentError?: string;
}
