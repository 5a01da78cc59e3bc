from tortoise import migrations
from tortoise.migrations import operations as ops
from models.challenges import Category, Role
from models.notifications import NotificationType
from models.proofs import ProofStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='EmailVerification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('code_hash', fields.CharField(max_length=128)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'email_verification', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The current sign-up code of an email address (a new request replaces it).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Member',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(null=True, unique=True, max_length=254)),
                ('nickname', fields.CharField(max_length=10)),
                ('nickname_key', fields.CharField(unique=True, max_length=10)),
                ('password_hash', fields.CharField(null=True, max_length=255)),
                ('kakao_id', fields.CharField(null=True, unique=True, max_length=64)),
                ('profile_image', fields.CharField(null=True, max_length=255)),
                ('bricks_count', fields.IntField(default=0)),
                ('notification_seq', fields.BigIntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'member', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Challenge',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=50)),
                ('category', fields.CharEnumField(description='IT: IT\nFOREIGN_LANGUAGE: FOREIGN_LANGUAGE\nMATH: MATH\nSCIENCE: SCIENCE\nHUMANITIES: HUMANITIES\nARTS_AND_PHYSICAL_EDUCATION: ARTS_AND_PHYSICAL_EDUCATION\nETC: ETC', enum_type=Category, max_length=32)),
                ('description', fields.TextField(unique=False)),
                ('start_date', fields.DateField()),
                ('due_date', fields.DateField()),
                ('frequency', fields.CharField(max_length=30)),
                ('auth_explanation', fields.CharField(max_length=25)),
                ('limit_attendance', fields.IntField()),
                ('current_attendance', fields.IntField(default=0)),
                ('thumbnail', fields.CharField(null=True, max_length=255)),
                ('leader', fields.ForeignKeyField('models.Member', source_field='leader_id', db_constraint=True, to_field='id', related_name='led_challenges', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'challenge', 'app': 'models', 'indexes': [Index(fields=['created_at', 'id']), Index(fields=['category', 'created_at']), Index(fields=['current_attendance', 'created_at']), Index(fields=['start_date', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Membership',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('challenge', fields.ForeignKeyField('models.Challenge', source_field='challenge_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='LEADER: LEADER\nCHALLENGER: CHALLENGER', enum_type=Role, max_length=16)),
                ('joined_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'membership', 'app': 'models', 'unique_together': (('member', 'challenge'),), 'indexes': [Index(fields=['challenge_id', 'joined_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('seq', fields.BigIntField()),
                ('type', fields.CharEnumField(description='REGISTER: REGISTER\nAPPROVE: APPROVE\nDENY: DENY', enum_type=NotificationType, max_length=16)),
                ('content', fields.CharField(max_length=255)),
                ('challenge_id', fields.BigIntField()),
                ('proof_id', fields.BigIntField(null=True)),
                ('read', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'notification', 'app': 'models', 'unique_together': (('member', 'seq'),), 'indexes': [Index(fields=['member_id', 'read', 'seq']), Index(fields=['created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Proof',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('challenge', fields.ForeignKeyField('models.Challenge', source_field='challenge_id', db_constraint=True, to_field='id', related_name='proofs', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.Member', source_field='author_id', db_constraint=True, to_field='id', related_name='proofs', on_delete=OnDelete.CASCADE)),
                ('content', fields.CharField(max_length=500)),
                ('image', fields.CharField(null=True, max_length=255)),
                ('video_url', fields.CharField(null=True, max_length=500)),
                ('status', fields.CharEnumField(default=ProofStatus.WAITING, description='WAITING: WAITING\nAPPROVED: APPROVED\nDENIED: DENIED', enum_type=ProofStatus, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'proof', 'app': 'models', 'indexes': [Index(fields=['challenge_id', 'status', 'id']), Index(fields=['challenge_id', 'author_id', 'id']), Index(fields=['author_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Room',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('challenge', fields.OneToOneField('models.Challenge', source_field='challenge_id', db_constraint=True, to_field='id', related_name='room', on_delete=OnDelete.CASCADE)),
                ('last_seq', fields.BigIntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'room', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Message',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('room', fields.ForeignKeyField('models.Room', source_field='room_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('seq', fields.BigIntField()),
                ('sender', fields.ForeignKeyField('models.Member', source_field='sender_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('body', fields.TextField(unique=False)),
                ('client_message_id', fields.CharField(null=True, max_length=64)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'message', 'app': 'models', 'unique_together': (('room', 'seq'), ('sender', 'client_message_id')), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RoomLogEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('room', fields.ForeignKeyField('models.Room', source_field='room_id', db_constraint=True, to_field='id', related_name='log_entries', on_delete=OnDelete.CASCADE)),
                ('seq', fields.BigIntField()),
                ('kind', fields.CharField(max_length=16)),
                ('message', fields.ForeignKeyField('models.Message', source_field='message_id', db_constraint=True, to_field='id', related_name='log_entries', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'room_log_entry', 'app': 'models', 'unique_together': (('room', 'seq'),), 'pk_attr': 'id', 'table_description': "A durable non-message event of a room's log (today: a message deletion)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TokenFamily',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='token_families', on_delete=OnDelete.CASCADE)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'token_family', 'app': 'models', 'indexes': [Index(fields=['member_id', 'revoked_at'])], 'pk_attr': 'id', 'table_description': 'One login session: every refresh token rotated from the same login.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RefreshToken',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('family', fields.ForeignKeyField('models.TokenFamily', source_field='family_id', db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('rotated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'refresh_token', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
